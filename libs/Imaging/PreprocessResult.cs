namespace MlAspire.Imaging;

/// <summary>What <see cref="ImagePreprocessor.Preprocess"/> did.</summary>
/// <param name="Format">The sniffed container format.</param>
/// <param name="SourceWidth">Width declared by the encoded image.</param>
/// <param name="SourceHeight">Height declared by the encoded image.</param>
/// <param name="DecodedWidth">Width after decode-time scaling (JPEG only; else the source width).</param>
/// <param name="DecodedHeight">Height after decode-time scaling.</param>
/// <param name="DecodeScaleNumerator">Decode-time scale numerator (1 when not scaled).</param>
/// <param name="DecodeScaleDenominator">Decode-time scale denominator (1 when not scaled).</param>
public readonly record struct PreprocessResult(
    ImageFormat Format,
    int SourceWidth,
    int SourceHeight,
    int DecodedWidth,
    int DecodedHeight,
    int DecodeScaleNumerator,
    int DecodeScaleDenominator);
