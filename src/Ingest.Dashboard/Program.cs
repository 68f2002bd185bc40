using Ingest.Dashboard.Health;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDashboardHealth();

var app = builder.Build();

app.MapDashboardHealth();

await app.RunAsync();
