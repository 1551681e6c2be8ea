using System.Globalization;

namespace Dsl.Training;

/// <summary>
/// Where a feed stopped: its seed, the epoch and the next step, the SHA-256 of the data's manifest and a hash of the
/// options that shape the batches. Save it with a checkpoint (<see cref="ToString"/>); <see cref="TrainingFeed.Resume(FeedResumeToken)"/>
/// continues at that step without decoding the row groups already consumed, and refuses data or options that changed.
/// </summary>
/// <param name="Seed">The feed's seed.</param>
/// <param name="Epoch">The epoch to continue.</param>
/// <param name="Step">The first step not yet delivered.</param>
/// <param name="ManifestSha256">The SHA-256 of the output's <c>_manifest.json</c> the feed read.</param>
/// <param name="OptionsHash">A hash of the features, label, batch size, shuffle, window, rank, world size, remainder and sink.</param>
public sealed record FeedResumeToken(ulong Seed, int Epoch, int Step, string ManifestSha256, string OptionsHash)
{
    private const string Prefix = "dsl-feed/1";

    /// <summary>The token as one line: <c>dsl-feed/1;seed=…;epoch=…;step=…;manifest=…;options=…</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{Prefix};seed={Seed};epoch={Epoch};step={Step};manifest={ManifestSha256};options={OptionsHash}");

    /// <summary>Reads a token <see cref="ToString"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not such a token; the message says what was expected.</exception>
    public static FeedResumeToken Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] fields = text.Trim().Split(';');
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string field in fields.Skip(1))
        {
            int eq = field.IndexOf('=');
            if (eq <= 0 || !values.TryAdd(field[..eq], field[(eq + 1)..]))
            {
                throw Bad(text);
            }
        }
        if (fields[0] != Prefix || values.Count != 5
            || !ulong.TryParse(values.GetValueOrDefault("seed"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            || !int.TryParse(values.GetValueOrDefault("epoch"), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
            || !int.TryParse(values.GetValueOrDefault("step"), NumberStyles.None, CultureInfo.InvariantCulture, out int step)
            || values.GetValueOrDefault("manifest") is not { Length: 64 } manifest || !manifest.All(char.IsAsciiHexDigitLower)
            || values.GetValueOrDefault("options") is not { Length: > 0 } options)
        {
            throw Bad(text);
        }
        return new FeedResumeToken(seed, epoch, step, manifest, options);
    }

    private static FormatException Bad(string text) =>
        new($"'{text}' is not a training feed resume token; expected {Prefix};seed=N;epoch=N;step=N;manifest=<64 lowercase hex digits>;options=<hash>.");
}
