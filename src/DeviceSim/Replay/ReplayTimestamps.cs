namespace DeviceSim.Replay;

/// <summary>Which <c>ts</c> the replayed readings carry.</summary>
public enum ReplayTimestamps
{
    /// <summary>The file's times, moved by one offset so that the file's last reading falls on the moment the replay starts: spacing kept, never in the future.</summary>
    Shift,

    /// <summary>The file's times unchanged (the worker quarantines those older than its Validation:MaxPastAge, 30 days by default).</summary>
    Original,

    /// <summary>The moment each reading is scheduled to go out (spacing divided by the speed): the file's values as live data.</summary>
    Now,
}
