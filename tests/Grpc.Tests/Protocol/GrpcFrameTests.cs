using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc.Tests.Protocol;

public sealed class GrpcFrameTests
{
    private static byte[] Frame(IMessage message) =>
        GrpcMessageIO.SerializeFrame(message, int.MaxValue, gzip: false, System.IO.Compression.CompressionLevel.Fastest);

    private static readonly BytesValue s_message = new() { Value = ByteString.CopyFrom(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()) };

    [Fact]
    public void MessageSplitAtEveryOffsetDecodesTheSame()
    {
        var bytes = Frame(s_message).Concat(Frame(s_message)).ToArray();
        for (var split = 0; split <= bytes.Length; split++)
        {
            var sequence = Segments.Create(bytes[..split], bytes[split..]);
            Assert.True(GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 1024, false, out var first, out _));
            Assert.True(GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 1024, false, out var second, out _));
            Assert.Equal(s_message, first);
            Assert.Equal(s_message, second);
            Assert.Equal(0, sequence.Length);
        }
    }

    [Fact]
    public void FrameIsIncompleteUntilItsLastByte()
    {
        var bytes = Frame(s_message);
        for (var length = 0; length < bytes.Length; length++)
        {
            var sequence = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(GrpcFrame.TryRead(ref sequence, 1024, out _, out _));
            Assert.Equal(length, sequence.Length);
        }
    }

    [Fact]
    public async Task OneBytePerReadDecodesTheSame()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pipe = new Pipe();
        var bytes = Frame(s_message).Concat(Frame(new BytesValue())).Concat(Frame(s_message)).ToArray();
        var writer = Task.Run(async () =>
        {
            foreach (var b in bytes)
            {
                await pipe.Writer.WriteAsync(new[] { b }, cts.Token);
            }

            await pipe.Writer.CompleteAsync();
        }, cts.Token);

        var messages = new List<BytesValue>();
        while (await GrpcMessageIO.ReadMessageAsync(pipe.Reader, BytesValue.Parser, 1024, false, cts.Token) is { Message: { } m })
        {
            messages.Add(m);
        }

        await writer;
        Assert.Equal([s_message, new BytesValue(), s_message], messages);
    }

    [Fact]
    public void LengthOverTheLimitIsResourceExhaustedBeforeTheBodyArrives()
    {
        var header = new byte[5];
        GrpcFrame.WriteHeader(header, false, 4097);
        var sequence = new ReadOnlySequence<byte>(header);
        var ex = Assert.Throws<RpcException>(() => GrpcFrame.TryRead(ref sequence, 4096, out _, out _));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void CompressedFlagOtherThanZeroOrOneIsInternal(byte flag)
    {
        var bytes = Frame(s_message);
        bytes[0] = flag;
        var sequence = new ReadOnlySequence<byte>(bytes);
        var ex = Assert.Throws<RpcException>(() => GrpcFrame.TryRead(ref sequence, 1024, out _, out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public async Task StreamEndingInsideAFrameIsInternal()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pipe = new Pipe();
        var bytes = Frame(s_message);
        await pipe.Writer.WriteAsync(bytes.AsMemory(0, bytes.Length - 1), cts.Token);
        await pipe.Writer.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await GrpcMessageIO.ReadMessageAsync(pipe.Reader, BytesValue.Parser, 1024, false, cts.Token));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void CompressedFrameWithoutEncodingIsInternal()
    {
        var bytes = Frame(s_message);
        bytes[0] = 1;
        var sequence = new ReadOnlySequence<byte>(bytes);
        var ex = Assert.Throws<RpcException>(() =>
            GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 1024, gzipAllowed: false, out _, out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void GzipFrameRoundTripsAndInflatedSizeIsLimited()
    {
        var big = new BytesValue { Value = ByteString.CopyFrom(new byte[10_000]) };
        var writer = new ArrayBufferWriter<byte>();
        GrpcMessageIO.WriteMessage(writer, big, int.MaxValue, gzip: true, System.IO.Compression.CompressionLevel.Fastest);
        Assert.Equal(1, writer.WrittenSpan[0]);
        Assert.True(writer.WrittenCount < 1000);

        var sequence = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 20_000, true, out var parsed, out var compressed));
        Assert.True(compressed);
        Assert.Equal(big, parsed);

        sequence = new ReadOnlySequence<byte>(writer.WrittenMemory);
        var ex = Assert.Throws<RpcException>(() => GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 5_000, true, out _, out _));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void GarbagePayloadIsInternal()
    {
        byte[] bytes = [0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF];
        var sequence = new ReadOnlySequence<byte>(bytes);
        var ex = Assert.Throws<RpcException>(() => GrpcMessageIO.TryParse(ref sequence, BytesValue.Parser, 1024, false, out _, out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void SendingOverTheLimitIsResourceExhausted()
    {
        var ex = Assert.Throws<RpcException>(() => GrpcMessageIO.SerializeFrame(s_message, 100, false,
            System.IO.Compression.CompressionLevel.Fastest));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
