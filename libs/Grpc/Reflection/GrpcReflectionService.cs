using MlAspire.Grpc.Health.V1;
using MlAspire.Grpc.Internal;
using MlAspire.Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.Options;

namespace MlAspire.Grpc.Reflection;

/// <summary>
/// grpc.reflection.v1alpha.ServerReflection: list_services (every mapped service), file_by_filename and
/// file_containing_symbol (from <see cref="GrpcReflectionOptions.Files"/>, health and reflection themselves, with
/// transitive dependencies). Extension queries are answered with an UNIMPLEMENTED error response.
/// </summary>
internal sealed class GrpcReflectionService(GrpcServerRegistry registry, IOptions<GrpcReflectionOptions> options)
    : IGrpcService<GrpcReflectionService>
{
    private DescriptorIndex? _index;

    public static void BindService(ServiceBinder<GrpcReflectionService> binder) => binder.AddDuplexStreaming(
        ReflectionMethods.ServerReflectionInfo, static (service, requests, responses, context) =>
            service.RunAsync(requests, responses, context));

    private DescriptorIndex Index => _index ??= new DescriptorIndex(
        options.Value.Files.Append(HealthReflection.Descriptor).Append(ReflectionReflection.Descriptor));

    private async Task RunAsync(IAsyncStreamReader<ServerReflectionRequest> requests,
        IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(request), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.Add(registry.GetServices().Select(name => new ServiceResponse { Name = name }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, Index.FindFile(request.FileByFilename), request.FileByFilename);
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, Index.FindSymbol(request.FileContainingSymbol), request.FileContainingSymbol);
                break;
            default:
                response.ErrorResponse = new ErrorResponse
                {
                    ErrorCode = (int)StatusCode.Unimplemented,
                    ErrorMessage = "Only list_services, file_by_filename and file_containing_symbol are supported.",
                };
                break;
        }

        return response;
    }

    private static void SetFile(ServerReflectionResponse response, Google.Protobuf.Reflection.FileDescriptor? file, string what)
    {
        if (file is null)
        {
            response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = $"'{what}' not found." };
            return;
        }

        var files = new FileDescriptorResponse();
        files.FileDescriptorProto.Add(DescriptorIndex.WithDependencies(file).Select(f => f.SerializedData));
        response.FileDescriptorResponse = files;
    }
}
