namespace MlAspire.Grpc.Tests.Interop;

/// <summary>
/// Sits between the channel and SocketsHttpHandler and records the compressed flag of the first request frame
/// (unary bodies) and of the first response frame, so the compression cases can check the bits on the wire.
/// </summary>
internal sealed class FrameFlagRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public byte? LastRequestFlag { get; private set; }

    public RecordingStream? LastResponse { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is ByteArrayContent content)
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            LastRequestFlag = bytes.Length > 0 ? bytes[0] : null;
        }

        var response = await base.SendAsync(request, cancellationToken);
        var original = response.Content;
        var stream = new RecordingStream(await original.ReadAsStreamAsync(cancellationToken));
        var wrapped = new StreamContent(stream);
        foreach (var header in original.Headers)
        {
            wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = wrapped;
        LastResponse = stream;
        return response;
    }

    internal sealed class RecordingStream(Stream inner) : Stream
    {
        private long _position;

        public int FirstByte { get; private set; } = -1;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset), inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Record(buffer.Span, read);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Record(Span<byte> buffer, int read)
        {
            if (_position == 0 && read > 0)
            {
                FirstByte = buffer[0];
            }

            _position += read;
            return read;
        }
    }
}
