namespace MlAspire.Load.Bench;

/// <summary>What to send where, and for how long. Exactly one of <see cref="Rate"/> and <see cref="Concurrency"/> is set.</summary>
internal sealed record LoadSettings
{
    public required Uri Gateway { get; init; }

    public required IReadOnlyList<LoadImage> Images { get; init; }

    public string Model { get; init; } = "digits";

    public string? ApiKey { get; init; }

    /// <summary>Open loop: submissions per second, whatever the answers.</summary>
    public double? Rate { get; init; }

    /// <summary>Closed loop: this many clients, each submitting its next image when its last job finished.</summary>
    public int? Concurrency { get; init; }

    /// <summary>How long submissions go on.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the last submission, how long accepted jobs may take to finish before they count as lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every Nth submission uses a poison image (0: never). Poison images come from <see cref="Images"/>.</summary>
    public int PoisonEvery { get; init; }

    /// <summary>Open loop: most submissions in flight at once; past it a tick is skipped (counted), so memory stays bounded.</summary>
    public int MaxInFlight { get; init; } = 512;

    public void Validate()
    {
        if (Rate is null == Concurrency is null)
        {
            throw new ArgumentException("Set exactly one of a rate (--rate) and a concurrency (--concurrency).");
        }

        if (Rate is <= 0 or > 100_000 || Concurrency is <= 0 or > 10_000)
        {
            throw new ArgumentException("The rate must be in (0, 100000] per second and the concurrency in [1, 10000].");
        }

        if (Duration <= TimeSpan.Zero || Drain < TimeSpan.Zero)
        {
            throw new ArgumentException("The duration must be positive and the drain time not negative.");
        }

        if (!Images.Any(i => !i.Poison) || (PoisonEvery > 0 && !Images.Any(i => i.Poison)))
        {
            throw new ArgumentException("Give at least one good image, and a poison image when poison submissions are asked for.");
        }
    }
}
