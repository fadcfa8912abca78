using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MlAspire.Imaging;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// Reads an upload (a JPEG/PNG body or multipart/form-data with image parts) within the size limit and checks every
/// image from its header alone: format sniffed from the magic bytes (Content-Type is not trusted), dimensions against
/// the limits. Nothing is decoded here.
/// </summary>
internal sealed class ImageIntake(IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task<IntakeResult> ReadAsync(HttpRequest request, int maxImages, CancellationToken cancellationToken = default)
    {
        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return TooLarge();
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            return Unsupported();
        }

        var single = type.Equals("image/jpeg", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/png", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);
        var multipart = type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!single && !multipart)
        {
            return Unsupported();
        }

        var (body, failure) = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        List<byte[]> images;
        if (single)
        {
            images = [body];
        }
        else
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
            {
                return IntakeResult.Fail(StatusCodes.Status400BadRequest, "Malformed multipart body",
                    "multipart/form-data needs a boundary parameter of 1 to 70 characters.");
            }

            var parts = await ReadPartsAsync(body, boundary, maxImages, cancellationToken).ConfigureAwait(false);
            if (parts.Error is not null)
            {
                return parts;
            }

            images = [.. parts.Images];
        }

        if (images.Count > maxImages)
        {
            return IntakeResult.Fail(StatusCodes.Status400BadRequest, "Too many images",
                $"This request takes at most {maxImages} image(s); it carried {images.Count}.");
        }

        for (var i = 0; i < images.Count; i++)
        {
            if (Check(images[i], images.Count > 1 ? $"Image {i + 1}" : "The image") is { } error)
            {
                return new IntakeResult([], error);
            }
        }

        return new IntakeResult(images, null);
    }

    private IntakeError? Check(byte[] image, string which)
    {
        if (image.Length == 0)
        {
            return new IntakeError(StatusCodes.Status422UnprocessableEntity, "Empty image", $"{which} has no bytes.");
        }

        if (!ImageProbe.TryProbe(image, out var info))
        {
            var detail = ImageProbe.DetectFormat(image) == ImageFormat.Unknown
                ? $"{which} is not a JPEG or PNG (judged by its content, not its Content-Type)."
                : $"{which} has a malformed or truncated {ImageProbe.DetectFormat(image).ToString().ToUpperInvariant()} header.";
            return new IntakeError(StatusCodes.Status422UnprocessableEntity, "Undecodable image", detail);
        }

        if (info.Width > _options.MaxImageDimension || info.Height > _options.MaxImageDimension || info.PixelCount > _options.MaxImagePixels)
        {
            return new IntakeError(StatusCodes.Status422UnprocessableEntity, "Image too large", string.Create(CultureInfo.InvariantCulture,
                $"{which} declares {info.Width}x{info.Height} pixels; the limit is {_options.MaxImageDimension} per side and {_options.MaxImagePixels} pixels."));
        }

        return null;
    }

    private static async Task<IntakeResult> ReadPartsAsync(byte[] body, string boundary, int maxImages, CancellationToken cancellationToken)
    {
        var images = new List<byte[]>();
        using var stream = new MemoryStream(body, writable: false);
        var reader = new MultipartReader(boundary, stream) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                var disposition = section.GetContentDispositionHeader();
                var isFile = disposition is not null && (disposition.FileName.HasValue || disposition.FileNameStar.HasValue);
                var isImage = section.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
                    || section.ContentType?.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true;
                if (!isFile && !isImage)
                {
                    continue; // a plain form field: not an image
                }

                using var part = new MemoryStream();
                await section.Body.CopyToAsync(part, cancellationToken).ConfigureAwait(false);
                images.Add(part.ToArray());
                if (images.Count > maxImages)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
        {
            return IntakeResult.Fail(StatusCodes.Status400BadRequest, "Malformed multipart body",
                "The multipart/form-data body could not be parsed (bad boundary, headers or framing).");
        }

        return images.Count == 0
            ? IntakeResult.Fail(StatusCodes.Status400BadRequest, "Malformed multipart body", "The multipart/form-data body has no image part.")
            : new IntakeResult(images, null);
    }

    /// <summary>
    /// The whole body, or why it cannot be had: larger than the limit (whatever Content-Length claimed), slower than
    /// <see cref="GatewayOptions.RequestBodyTimeout"/> or Kestrel's minimum data rate, or malformed framing.
    /// </summary>
    private async Task<(byte[] Body, IntakeResult? Failure)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // This class enforces the limit itself, so lift the server's own cap for this request.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }

        var limit = _options.MaxRequestBytes;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestBodyTimeout);
        using var buffer = new MemoryStream(request.ContentLength is long length ? (int)Math.Min(length, limit) : 64 * 1024);
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return ([], TooLarge());
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ([], TooSlow(string.Create(CultureInfo.InvariantCulture,
                $"The request body did not arrive within {_options.RequestBodyTimeout.TotalSeconds:0.###} s.")));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return ([], TooSlow("The request body arrived slower than the server's minimum data rate."));
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own framing checks: a body shorter than Content-Length, bad chunked encoding, ...
            return ([], IntakeResult.Fail(ex.StatusCode, "Malformed request body",
                "The request body ended early or its framing (Content-Length or chunked encoding) is malformed."));
        }

        return (buffer.ToArray(), null);
    }

    private static IntakeResult TooSlow(string detail) => IntakeResult.Fail(StatusCodes.Status408RequestTimeout, "Request body too slow", detail);

    private IntakeResult TooLarge() => IntakeResult.Fail(StatusCodes.Status413PayloadTooLarge, "Request body too large",
        string.Create(CultureInfo.InvariantCulture, $"The request body is over the limit of {_options.MaxRequestBytes} bytes."));

    private static IntakeResult Unsupported() => IntakeResult.Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        "Send image/jpeg, image/png (or application/octet-stream) as the body, or multipart/form-data with image parts.");
}
