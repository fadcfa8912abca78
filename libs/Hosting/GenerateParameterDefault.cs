namespace MlAspire.Hosting;

/// <summary>How to generate a parameter's value when configuration gives none (manifest
/// <c>inputs.value.default.generate</c>). Run mode generates it with a cryptographic RNG, once per run.</summary>
public sealed record GenerateParameterDefault
{
    public int MinLength { get; init; } = 22;

    public bool Lower { get; init; } = true;

    public bool Upper { get; init; } = true;

    public bool Numeric { get; init; } = true;

    public bool Special { get; init; } = true;

    public int MinLower { get; init; }

    public int MinUpper { get; init; }

    public int MinNumeric { get; init; }

    public int MinSpecial { get; init; }
}
