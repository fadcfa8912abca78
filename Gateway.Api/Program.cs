using MlAspire.Gateway.Api.Apis;
using MlAspire.Gateway.Api.Extensions;
using MlAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(ServiceHost.Options(args));
builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();
app.UseGatewayPipeline();
app.MapDefaultEndpoints();
app.MapOpenApi();
var v1 = app.MapGroup("/v1").RequireRateLimiting(GatewayServiceExtensions.RateLimitPolicy);
v1.MapJobsApi();
v1.MapModelsApi();
app.Run();
