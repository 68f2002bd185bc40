using System.Globalization;

namespace DeviceSim.Replay;

/// <summary>How fast a replay runs: a factor of the file's own pace (1 = original, 10 = ten times faster) or as fast as allowed.</summary>
public readonly record struct ReplaySpeed(double Factor)
{
    public static readonly ReplaySpeed Original = new(1);

    public static readonly ReplaySpeed Max = new(double.PositiveInfinity);

    public bool IsMax => double.IsPositiveInfinity(Factor);

    /// <summary>When a reading recorded <paramref name="sinceFirst"/> after the file's first one is due, after the replay starts.</summary>
    public TimeSpan Due(TimeSpan sinceFirst) => IsMax ? TimeSpan.Zero : TimeSpan.FromTicks((long)(sinceFirst.Ticks / Factor));

    /// <summary><c>max</c>, or a positive factor such as <c>1</c>, <c>10</c>, <c>0.5</c>, <c>60x</c>.</summary>
    public static bool TryParse(string? text, out ReplaySpeed speed)
    {
        speed = Original;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            speed = Max;
            return true;
        }

        if (text.EndsWith('x') || text.EndsWith('X'))
        {
            text = text[..^1];
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var factor) && factor > 0 && double.IsFinite(factor))
        {
            speed = new ReplaySpeed(factor);
            return true;
        }

        return false;
    }

    public override string ToString() => IsMax ? "max" : string.Create(CultureInfo.InvariantCulture, $"{Factor:0.###}x");
}
