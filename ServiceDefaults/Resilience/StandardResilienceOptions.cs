using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;

namespace MlAspire.ServiceDefaults.Resilience;

/// <summary>
/// The <c>Resilience</c> section, bound onto the standard resilience handler of every HttpClient
/// (<see cref="HttpStandardResilienceOptions"/>: total timeout ⟶ retry (exponential, jittered) ⟶ circuit breaker ⟶
/// attempt timeout). Its own names are the README's; validated at start, so a bad value names its key instead of
/// failing the first request.
/// </summary>
public sealed class StandardResilienceOptions : IValidatableObject
{
    public const string SectionName = "Resilience";

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The handler's own rules, checked here so that start fails with the keys instead of the first request.
        if (AttemptTimeout > TotalTimeout)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(AttemptTimeout)} ({AttemptTimeout}) must not exceed {SectionName}:{nameof(TotalTimeout)} ({TotalTimeout}).",
                [nameof(AttemptTimeout), nameof(TotalTimeout)]);
        }

        if (BreakerSamplingDuration < 2 * AttemptTimeout)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(BreakerSamplingDuration)} ({BreakerSamplingDuration}) must be at least twice {SectionName}:{nameof(AttemptTimeout)} ({AttemptTimeout}).",
                [nameof(BreakerSamplingDuration), nameof(AttemptTimeout)]);
        }
    }

    /// <summary>
    /// Sets the standard handler's options from the <c>Resilience</c> section. Invalid settings are left out (the
    /// handler keeps its defaults): ValidateOnStart has already failed start over them, naming the key, and failing
    /// here too would only repeat that message.
    /// </summary>
    public static void Apply(IConfiguration configuration, HttpStandardResilienceOptions options)
    {
        var settings = configuration.GetSection(SectionName).Get<StandardResilienceOptions>() ?? new StandardResilienceOptions();
        if (new StandardResilienceOptionsValidator().Validate(name: null, settings).Succeeded)
        {
            settings.ApplyTo(options);
        }
    }

    private void ApplyTo(HttpStandardResilienceOptions options)
    {
        options.TotalRequestTimeout.Timeout = TotalTimeout;
        options.AttemptTimeout.Timeout = AttemptTimeout;
        options.Retry.Delay = RetryBaseDelay;
        options.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        if (MaxRetryAttempts == 0)
        {
            // The retry strategy needs at least one attempt; zero means it never handles an outcome.
            options.Retry.MaxRetryAttempts = 1;
            options.Retry.ShouldHandle = static _ => ValueTask.FromResult(false);
        }
        else
        {
            options.Retry.MaxRetryAttempts = MaxRetryAttempts;
        }

        options.CircuitBreaker.FailureRatio = BreakerFailureRatio;
        options.CircuitBreaker.MinimumThroughput = BreakerMinimumThroughput;
        options.CircuitBreaker.SamplingDuration = BreakerSamplingDuration;
        options.CircuitBreaker.BreakDuration = BreakDuration;
    }
}
