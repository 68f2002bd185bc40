using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Ingest.Dashboard.Live;

/// <summary>
/// Credentials and TLS of the live feed's MQTT client, as the worker does it: with a CA certificate configured the broker's
/// certificate must chain to it; without one the system trust store decides. Host name checks are never switched off.
/// </summary>
public static class MqttSecurity
{
    public static MqttClientOptionsBuilder WithSecurity(this MqttClientOptionsBuilder builder, LiveFeedOptions options)
    {
        if (!string.IsNullOrEmpty(options.Username))
        {
            builder = builder.WithCredentials(options.Username, options.Password);
        }

        if (!options.UseTls)
        {
            return builder;
        }

        if (string.IsNullOrEmpty(options.CaCertificatePath))
        {
            return builder.WithTlsOptions(o => o.UseTls().WithTargetHost(options.TlsHost ?? options.Host));
        }

        var ca = X509CertificateLoader.LoadCertificateFromFile(options.CaCertificatePath);
        return builder.WithTlsOptions(o => o
            .UseTls()
            .WithTargetHost(options.TlsHost ?? options.Host)
            .WithCertificateValidationHandler(e => ChainsTo(ca, e.Certificate, e.SslPolicyErrors)));
    }

    internal static bool ChainsTo(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
