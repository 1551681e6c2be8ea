namespace Dsl.Training;

/// <summary>
/// The training feed's random numbers: SplitMix64 (Steele, Lea and Flood, 2014), written out here so the sequence is
/// ours to promise. <see cref="System.Random"/> is not used because .NET does not promise its sequence across
/// versions; this one is fixed by the code below, on every machine and every .NET version (docs/training.md states the
/// algorithm, and a test checks it against an independent Python implementation).
/// </summary>
internal struct FeedRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    private ulong _state;

    /// <summary>A generator started at <paramref name="state"/>.</summary>
    public FeedRandom(ulong state) => _state = state;

    /// <summary>
    /// The generator of one use in one epoch: started at <c>mix(mix(mix(seed) ^ epoch) ^ stream)</c>, so each epoch and
    /// each stream (0: the row-group order; 1 + rank·2³² + window: a rank's window of rows) draws its own sequence.
    /// </summary>
    public static FeedRandom For(ulong seed, ulong epoch, ulong stream) => new(Mix(Mix(Mix(seed) ^ epoch) ^ stream));

    /// <summary>SplitMix64's output function: two xor-shift-multiply rounds and a final xor-shift.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits: the state advances by the golden-ratio gamma and is mixed.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="bound"/>): Lemire's multiply-and-shift with rejection (no modulo bias):
    /// the high 64 bits of next·bound, drawing again while the low 64 bits fall below 2⁶⁴ mod bound.
    /// </summary>
    public ulong NextBelow(ulong bound)
    {
        ulong high = Math.BigMul(Next(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(Next(), bound, out low);
            }
        }
        return high;
    }

    /// <summary>Shuffles <paramref name="items"/> in place: Fisher–Yates from the last item down, j = NextBelow(i + 1).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow((ulong)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
