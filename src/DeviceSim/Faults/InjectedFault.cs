namespace DeviceSim.Faults;

/// <summary>
/// One fault as it was injected: which kind, the device id on the topic, the variant for malformed payloads, and the
/// worker's QuarantineReason name when the worker must reject it (null for faults the worker stores or only notices).
/// </summary>
public sealed record InjectedFault(FaultKind Kind, string TopicDeviceId, long? Sequence, MalformedVariant? Variant, string? ExpectedReason);
