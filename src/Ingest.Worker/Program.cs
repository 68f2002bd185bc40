using Ingest.Worker.Alerting;
using Ingest.Worker.Hosting;

// Content root is the app's folder, so appsettings.json is found whatever the working directory is.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Logging.AddIngestConsole(builder.Configuration);
builder.Services.AddSystemd(); // Type=notify readiness and stop handling under systemd; nothing elsewhere.
builder.Services
    .AddIngestDefaults()
    .AddIngestPipeline()
    .AddAlerting()
    .AddInfluxSink()
    .AddMqttSource()
    .AddIngestObservability();

var app = builder.Build();
app.MapIngestOperations();
await app.RunAsync();
