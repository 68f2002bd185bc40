namespace DeviceSim.Replay;

/// <summary>One line of a replay CSV: one field of one device at one instant. Domain and site are optional columns.</summary>
public sealed record ReplayRow(int Line, string Device, DateTimeOffset Time, string Field, double Value, string? Domain, string? Site);
