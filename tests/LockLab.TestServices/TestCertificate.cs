using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LockLab.TestServices;

/// <summary>
/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM files the way a school hands the lab its own
/// (<c>Kestrel:Certificates:Default:Path</c> / <c>KeyPath</c>, or nginx's <c>ssl_certificate</c>). Clients made by the
/// tests trust exactly this certificate, nothing else.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _folder;

    private TestCertificate(X509Certificate2 certificate, string folder)
    {
        Certificate = certificate;
        _folder = folder;
        CertificatePath = Path.Combine(folder, "lab.crt");
        KeyPath = Path.Combine(folder, "lab.key");
    }

    public X509Certificate2 Certificate { get; }
    public string CertificatePath { get; }
    public string KeyPath { get; }

    public static TestCertificate Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=LockLab test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var made = new TestCertificate(certificate, Directory.CreateTempSubdirectory("locklab-tls-").FullName);
        File.WriteAllText(made.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(made.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return made;
    }

    /// <summary>Accepts the server's certificate only if it is this one.</summary>
    public bool IsPresented(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString();

    /// <summary>An HTTP handler that trusts this certificate (and does not follow redirects, so tests see them).</summary>
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => IsPresented(presented)
        },
    };

    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
