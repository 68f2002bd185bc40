namespace Ingest.IntegrationTests.Infrastructure;

public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="interval"/> (200 ms unless given: a test that times the
    /// moment it holds needs a finer one) until it holds or <paramref name="timeout"/> passes; then fails with <paramref name="because"/>.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:F0} s: {because()}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
