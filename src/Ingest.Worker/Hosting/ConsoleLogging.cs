using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Ingest.Worker.Hosting;

/// <summary>
/// Human-readable single-line logs on a terminal, one JSON object per line otherwise (journald, containers, log
/// shippers). <c>Logging:Console:FormatterName</c> (<c>simple</c> or <c>json</c>) overrides the choice.
/// </summary>
public static class ConsoleLogging
{
    public static ILoggingBuilder AddIngestConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        var chosen = configuration["Logging:Console:FormatterName"];
        var json = string.IsNullOrEmpty(chosen) ? Console.IsOutputRedirected : string.Equals(chosen, "json", StringComparison.OrdinalIgnoreCase);
        logging.ClearProviders();
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        return logging;
    }
}
