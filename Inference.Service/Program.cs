using MlAspire.Inference.Service.Extensions;
using MlAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(ServiceHost.Options(args));
builder.AddServiceDefaults();
builder.AddInferenceServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapInferenceApi();
app.Run();
