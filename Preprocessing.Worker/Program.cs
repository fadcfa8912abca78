using MlAspire.Preprocessing.Worker.Extensions;
using MlAspire.ServiceDefaults;

var builder = WebApplication.CreateBuilder(ServiceHost.Options(args));
builder.AddServiceDefaults();
builder.AddWorkerServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
