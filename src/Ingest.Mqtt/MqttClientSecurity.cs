using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Ingest.Mqtt;

/// <summary>
/// Credentials and TLS for every MQTT client of the worker and the dashboard. With a CA certificate configured, the
/// broker's certificate must chain to that CA (a private PKI, or deploy/security/dev-certs.sh locally); without one, the
/// system's trust store decides. Host name checks are never switched off.
/// </summary>
public static class MqttClientSecurity
{
    public static MqttClientOptionsBuilder WithSecurity(this MqttClientOptionsBuilder builder, IMqttBrokerOptions options)
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

    /// <summary>True when the name matched and the certificate chains to <paramref name="ca"/> (a custom trust root).</summary>
    public static bool ChainsTo(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (certificate is X509Certificate2 presented)
        {
            // The TLS stack's own certificate: used, not disposed here.
            return chain.Build(presented);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(copy);
    }
}
