using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Ingest.Worker.Pipeline;

/// <summary>
/// The bounded channels that join the stages, created in one place. All are in <see cref="BoundedChannelFullMode.Wait"/>
/// mode: the drop modes report success for discarded items, which would lose acknowledged data.
/// </summary>
public sealed class PipelineChannels(IOptions<PipelineOptions> options)
{
    /// <summary>Decode stage → InfluxDB sink.</summary>
    public Channel<PendingMessage> Sink { get; } = Channel.CreateBounded<PendingMessage>(new BoundedChannelOptions(options.Value.SinkCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleWriter = true,
        SingleReader = true,
    });
}
