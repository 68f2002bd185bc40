namespace Ingest.Mqtt;

/// <summary>How a client reaches and authenticates to the broker; each host binds it from its own configuration section.</summary>
public interface IMqttBrokerOptions
{
    string Host { get; }

    string? Username { get; }

    string? Password { get; }

    bool UseTls { get; }

    /// <summary>PEM or DER file of the CA the broker's certificate must chain to; empty: the system trust store.</summary>
    string? CaCertificatePath { get; }

    /// <summary>The name expected in the broker's certificate when it differs from <see cref="Host"/>.</summary>
    string? TlsHost { get; }
}
