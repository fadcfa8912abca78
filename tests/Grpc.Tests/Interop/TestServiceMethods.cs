using MlAspire.Grpc.Tests.Interop.Messages;

namespace MlAspire.Grpc.Tests.Interop;

/// <summary>C# descriptors for grpc.testing.TestService / UnimplementedService (see Protos/test.proto).</summary>
internal static class TestServiceMethods
{
    public const string Service = "grpc.testing.TestService";

    public static readonly Method<Empty, Empty> EmptyCall =
        new(MethodType.Unary, Service, "EmptyCall", Empty.Parser, Empty.Parser);

    public static readonly Method<SimpleRequest, SimpleResponse> UnaryCall =
        new(MethodType.Unary, Service, "UnaryCall", SimpleRequest.Parser, SimpleResponse.Parser);

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall =
        new(MethodType.ServerStreaming, Service, "StreamingOutputCall", StreamingOutputCallRequest.Parser,
            StreamingOutputCallResponse.Parser);

    public static readonly Method<StreamingInputCallRequest, StreamingInputCallResponse> StreamingInputCall =
        new(MethodType.ClientStreaming, Service, "StreamingInputCall", StreamingInputCallRequest.Parser,
            StreamingInputCallResponse.Parser);

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall =
        new(MethodType.DuplexStreaming, Service, "FullDuplexCall", StreamingOutputCallRequest.Parser,
            StreamingOutputCallResponse.Parser);

    public static readonly Method<Empty, Empty> UnimplementedCall =
        new(MethodType.Unary, Service, "UnimplementedCall", Empty.Parser, Empty.Parser);

    public static readonly Method<Empty, Empty> UnimplementedServiceCall =
        new(MethodType.Unary, "grpc.testing.UnimplementedService", "UnimplementedCall", Empty.Parser, Empty.Parser);
}
