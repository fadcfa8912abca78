using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc;

/// <summary>A set of methods with their handlers, ready to map with <c>endpoints.MapGrpc(definition)</c>.</summary>
public sealed class ServerServiceDefinition
{
    internal ServerServiceDefinition(IReadOnlyList<ServerMethodEntry> methods) => Methods = methods;

    internal IReadOnlyList<ServerMethodEntry> Methods { get; }

    public IEnumerable<IMethod> MethodDescriptors => Methods.Select(m => m.Method);

    public static ServerServiceDefinitionBuilder CreateBuilder() => new();
}
