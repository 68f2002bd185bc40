namespace DeviceSim.Replay;

/// <summary>
/// One message of a replay: every row of one device at one instant, in file order. <see cref="Due"/> is when it goes out
/// after the replay starts; <see cref="Timestamp"/> is the <c>ts</c> it carries; <see cref="Sequence"/> counts each
/// device's messages from 1 in time order.
/// </summary>
public sealed record ReplayMessage(
    int Publisher,
    string Device,
    string Domain,
    string Site,
    DateTimeOffset RecordedAt,
    DateTimeOffset Timestamp,
    TimeSpan Due,
    long Sequence,
    IReadOnlyList<KeyValuePair<string, double>> Values);
