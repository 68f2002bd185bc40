using Ingest.Worker.Hosting;

var builder = Host.CreateApplicationBuilder(args);

builder.Services
    .AddIngestDefaults()
    .AddIngestPipeline()
    .AddInfluxSink()
    .AddMqttSource();

await builder.Build().RunAsync();
