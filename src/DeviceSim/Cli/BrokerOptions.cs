using System.CommandLine;
using DeviceSim.Publishing;
using MQTTnet.Protocol;

namespace DeviceSim.Cli;

/// <summary>The MQTT options every publishing command takes.</summary>
public sealed class BrokerOptions
{
    public Option<string> Host { get; } = new("--host")
    {
        Description = "MQTT broker host (loopback by default). Example: --host 127.0.0.1",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public Option<int> Port { get; } = new("--port")
    {
        Description = "MQTT broker port. Example: --port 1883",
        DefaultValueFactory = _ => 1883,
    };

    public Option<string> TopicRoot { get; } = new("--topic-root")
    {
        Description = "First topic level (the worker's Ingest:TopicRoot). Example: --topic-root bn",
        DefaultValueFactory = _ => Ingest.Contracts.Topics.DefaultRoot,
    };

    public Option<int> Qos { get; } = new("--qos")
    {
        Description = "MQTT QoS of telemetry: 1 (at least once, acknowledged; default) or 0 (fire and forget). Example: --qos 0",
        DefaultValueFactory = _ => 1,
    };

    public Option<int> Window { get; } = new("--window")
    {
        Description = "Most QoS 1 publishes awaiting PUBACK at once; the schedule waits when it is full. Example: --window 2000",
        DefaultValueFactory = _ => 1000,
    };

    public Option<ConnectionMode> Mode { get; } = new("--mode")
    {
        Description = "PerDevice: one MQTT connection per device, each with its will (offline, retained, on its status topic). "
            + "Multiplexed: --connections shared connections publish for all devices (higher rates, no per-device will). Example: --mode Multiplexed",
    };

    public Option<int> Connections { get; } = new("--connections")
    {
        Description = "Number of shared connections in Multiplexed mode. Example: --connections 8",
        DefaultValueFactory = _ => 4,
    };

    public Option<string?> Username { get; } = new("--username")
    {
        Description = "MQTT user name for every connection (overridden per device by --credentials). Example: --username sim",
    };

    public Option<string?> Password { get; } = new("--password")
    {
        Description = "MQTT password for --username. Example: --password s3cret",
    };

    public Option<FileInfo?> Credentials { get; } = new("--credentials")
    {
        Description = "CSV of per-device credentials, one 'id,username,password' per line (header optional). Example: --credentials devices-credentials.csv",
    };

    public Option<string> ClientIdPrefix { get; } = new("--client-id-prefix")
    {
        Description = "Prefix of MQTT client ids (a device's client id is prefix + device id). Example: --client-id-prefix lab2-",
        DefaultValueFactory = _ => "sim-",
    };

    public Option<int> ConnectConcurrency { get; } = new("--connect-concurrency")
    {
        Description = "Connections opened at once while the fleet connects or reconnects. Example: --connect-concurrency 200",
        DefaultValueFactory = _ => 64,
    };

    public BrokerOptions(ConnectionMode defaultMode)
    {
        Mode.DefaultValueFactory = _ => defaultMode;
        Qos.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is not (0 or 1))
            {
                r.AddError("--qos must be 0 or 1");
            }
        });
        Port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be between 1 and 65535");
            }
        });
        Window.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--window must be between 1 and 65535");
            }
        });
        Connections.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--connections must be between 1 and 1000");
            }
        });
        ConnectConcurrency.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 5000)
            {
                r.AddError("--connect-concurrency must be between 1 and 5000");
            }
        });
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Host, Port, TopicRoot, Qos, Window, Mode, Connections, Username, Password, Credentials, ClientIdPrefix, ConnectConcurrency })
        {
            command.Options.Add(option);
        }
    }

    public BrokerSettings Bind(ParseResult result)
    {
        var credentialsFile = result.GetValue(Credentials);
        IReadOnlyDictionary<string, DeviceCredentials>? credentials = credentialsFile is null
            ? null
            : DeviceCredentials.Parse(File.ReadAllText(credentialsFile.FullName));
        return new BrokerSettings(
            result.GetValue(Host)!,
            result.GetValue(Port),
            result.GetValue(TopicRoot)!,
            result.GetValue(Qos) == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce,
            result.GetValue(Window),
            result.GetValue(Username),
            result.GetValue(Password),
            credentials,
            result.GetValue(ConnectConcurrency));
    }
}
