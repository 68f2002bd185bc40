namespace DeviceSim.Publishing;

/// <summary>One MQTT message a simulated device sends.</summary>
public readonly record struct OutgoingMessage(string Topic, byte[] Payload, bool Retain = false);
