using Ingest.Worker.Hosting;

// Content root is the app's folder, so appsettings.json is found whatever the working directory is.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

builder.Services
    .AddIngestDefaults()
    .AddIngestPipeline()
    .AddInfluxSink()
    .AddMqttSource();

await builder.Build().RunAsync();
