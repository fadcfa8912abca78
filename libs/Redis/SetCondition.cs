namespace MlAspire.Redis;

/// <summary>When <c>SET</c> writes the value.</summary>
public enum SetCondition
{
    /// <summary>Always (plain <c>SET</c>).</summary>
    Always = 0,

    /// <summary>Only when the key does not exist (<c>NX</c>).</summary>
    NotExists,

    /// <summary>Only when the key exists (<c>XX</c>).</summary>
    Exists,
}
