using System.Web;

namespace Ingest.Worker.Sinks.Influx;

/// <summary>
/// Lets InfluxDB.Client's v2 write API talk to an InfluxDB 1.x server: rewrites <c>/api/v2/write?bucket=db/rp&amp;precision=ns</c>
/// to <c>/write?db=db&amp;rp=rp&amp;precision=n</c>, and turns credentials into <c>u</c>/<c>p</c> (1.6 has no token scheme).
/// Precision must be mapped: 1.6.7 silently reads an unknown precision such as <c>us</c> as nanoseconds
/// (reference/library-notes.md §B.3).
/// </summary>
public sealed class InfluxV1WriteHandler(string? username, string? password) : DelegatingHandler
{
    private const string V2WritePath = "api/v2/write";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.AbsolutePath.EndsWith(V2WritePath, StringComparison.Ordinal))
        {
            var query = HttpUtility.ParseQueryString(uri.Query);
            var bucket = query["bucket"] ?? "";
            var slash = bucket.IndexOf('/', StringComparison.Ordinal);
            var db = slash < 0 ? bucket : bucket[..slash];
            var rp = slash < 0 ? "" : bucket[(slash + 1)..];

            var rewritten = HttpUtility.ParseQueryString(string.Empty);
            rewritten["db"] = db;
            if (rp.Length > 0)
            {
                rewritten["rp"] = rp;
            }

            rewritten["precision"] = query["precision"] switch
            {
                "ns" or null => "n",
                "us" => "u",
                "ms" => "ms",
                "s" => "s",
                var other => throw new NotSupportedException($"InfluxDB write precision '{other}' has no 1.x equivalent"),
            };
            if (!string.IsNullOrEmpty(username))
            {
                rewritten["u"] = username;
                rewritten["p"] = password;
            }

            var basePath = uri.AbsolutePath[..^V2WritePath.Length];
            request.RequestUri = new UriBuilder(uri) { Path = basePath + "write", Query = rewritten.ToString() }.Uri;
            request.Headers.Authorization = null;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
