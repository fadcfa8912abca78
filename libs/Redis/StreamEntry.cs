namespace MlAspire.Redis;

/// <summary>A stream entry. <see cref="IsDeleted"/> marks a pending entry whose data was deleted (XDEL/XTRIM).</summary>
public sealed record StreamEntry(string Id, IReadOnlyList<RedisEntry> Fields, bool IsDeleted = false)
{
    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    public RedisValue this[string name]
    {
        get
        {
            foreach (var field in Fields)
            {
                if (field.Name == name)
                {
                    return field.Value;
                }
            }

            return RedisValue.Null;
        }
    }
}
