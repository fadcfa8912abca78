using Google.Protobuf.Reflection;

namespace MlAspire.Grpc.Reflection;

/// <summary>The .proto files (generated <c>XxxReflection.Descriptor</c>) that describe the mapped services.</summary>
public sealed class GrpcReflectionOptions
{
    public IList<FileDescriptor> Files { get; } = [];
}
