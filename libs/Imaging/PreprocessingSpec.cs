namespace MlAspire.Imaging;

/// <summary>
/// The <c>preprocessing</c> block of a model's <c>config.json</c>: decode → resize to <see cref="Width"/> ×
/// <see cref="Height"/> → optional invert (255 − x) → x · <see cref="Scale"/> → (x − mean[c]) / std[c], written as
/// <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/> floats in <see cref="Layout"/> order.
/// Equality of <see cref="Mean"/>/<see cref="Std"/> is by reference (record semantics).
/// </summary>
public sealed record PreprocessingSpec
{
    /// <summary>The largest width or height accepted for a model input.</summary>
    public const int MaxDimension = 8192;

    /// <summary>Model input width (<c>width</c>).</summary>
    public required int Width { get; init; }

    /// <summary>Model input height (<c>height</c>).</summary>
    public required int Height { get; init; }

    /// <summary>1 = grayscale (BT.601 luma), 3 = RGB (<c>channels</c>).</summary>
    public required int Channels { get; init; }

    /// <summary>Tensor memory order (<c>layout</c>: "NCHW" or "NHWC").</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    /// <summary>Resampling filter (<c>resize</c>: "area" or "bilinear").</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Area;

    /// <summary>Multiplier applied to the 0..255 value (<c>scale</c>, e.g. 1/255).</summary>
    public required float Scale { get; init; }

    /// <summary>Per-channel mean subtracted after scaling (<c>mean</c>, one entry per channel).</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per-channel divisor applied last (<c>std</c>, one positive entry per channel).</summary>
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>Whether to use 255 − x before scaling (<c>invert</c>, for dark-on-light digits).</summary>
    public bool Invert { get; init; }

    /// <summary>Floats one image takes: channels × height × width.</summary>
    public int TensorLength => Channels * Height * Width;

    /// <summary>The decoder output that matches <see cref="Channels"/>.</summary>
    public PixelFormat PixelFormat => Channels == 1 ? PixelFormat.Gray8 : PixelFormat.Rgb24;

    /// <summary>Parses <c>layout</c> ("NCHW" / "NHWC", case-insensitive).</summary>
    public static TensorLayout ParseLayout(string value) => value?.ToUpperInvariant() switch
    {
        "NCHW" => TensorLayout.Nchw,
        "NHWC" => TensorLayout.Nhwc,
        _ => throw new ArgumentException($"preprocessing.layout must be \"NCHW\" or \"NHWC\", not \"{value}\".", nameof(value)),
    };

    /// <summary>Parses <c>resize</c> ("area" / "bilinear", case-insensitive).</summary>
    public static ResizeMode ParseResize(string value) => value?.ToUpperInvariant() switch
    {
        "AREA" => ResizeMode.Area,
        "BILINEAR" => ResizeMode.Bilinear,
        _ => throw new ArgumentException($"preprocessing.resize must be \"area\" or \"bilinear\", not \"{value}\".", nameof(value)),
    };

    /// <summary>Returns null when valid, else a message naming the bad field (as in config.json).</summary>
    public string? GetValidationError()
    {
        if (Width is < 1 or > MaxDimension)
        {
            return $"preprocessing.width must be between 1 and {MaxDimension}, not {Width}.";
        }

        if (Height is < 1 or > MaxDimension)
        {
            return $"preprocessing.height must be between 1 and {MaxDimension}, not {Height}.";
        }

        if (Channels is not (1 or 3))
        {
            return $"preprocessing.channels must be 1 (grayscale) or 3 (RGB), not {Channels}.";
        }

        if (!Enum.IsDefined(Layout))
        {
            return $"preprocessing.layout has an unknown value {(int)Layout}.";
        }

        if (!Enum.IsDefined(Resize))
        {
            return $"preprocessing.resize has an unknown value {(int)Resize}.";
        }

        if (!float.IsFinite(Scale) || Scale <= 0)
        {
            return $"preprocessing.scale must be a positive finite number, not {Scale}.";
        }

        if (Mean is null || Mean.Count != Channels)
        {
            return $"preprocessing.mean must have {Channels} entries (one per channel), not {Mean?.Count ?? 0}.";
        }

        if (Std is null || Std.Count != Channels)
        {
            return $"preprocessing.std must have {Channels} entries (one per channel), not {Std?.Count ?? 0}.";
        }

        for (var c = 0; c < Channels; c++)
        {
            if (!float.IsFinite(Mean[c]))
            {
                return $"preprocessing.mean[{c}] must be a finite number, not {Mean[c]}.";
            }

            if (!float.IsFinite(Std[c]) || Std[c] <= 0)
            {
                return $"preprocessing.std[{c}] must be a positive finite number, not {Std[c]}.";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the bad field.</summary>
    public void Validate()
    {
        if (GetValidationError() is { } error)
        {
            throw new ArgumentException(error);
        }
    }
}
