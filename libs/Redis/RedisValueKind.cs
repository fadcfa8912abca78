namespace MlAspire.Redis;

internal enum RedisValueKind : byte
{
    Null = 0,
    String,
    Bytes,
    Int64,
    Double,
}
