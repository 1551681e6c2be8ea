using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Dsl.Execution;

namespace Dsl.Barriers.Splits;

/// <summary>
/// The mergeable pre-pass of a stratified split: for each value of the stratify column, a histogram of the rows'
/// split hashes (<see cref="SplitKeyHasher"/>) over buckets, from which <see cref="ComputeCuts"/> places each
/// stratum's cut points so that every subset gets as close to its asked share of that stratum's rows as whole buckets
/// allow. Each task counts its rows (<see cref="Add"/>), the job merges the tasks' histograms (<see cref="Merge"/>,
/// or <see cref="WriteTo"/> and <see cref="ReadFrom"/> between processes), and every task assigns rows with the cuts.
/// </summary>
/// <remarks>
/// <para>A stratum's buckets are the top <c>r</c> bits of the hash. <c>r</c> starts at <see cref="FullResolution"/> (32
/// bits, so distinct keys almost never share a bucket) and drops one bit at a time (merging pairs of buckets) while
/// the stratum has more than <see cref="MaxBucketsPerStratum"/> non-empty buckets. The resulting <c>r</c> is the largest
/// at which the stratum's rows fill at most that many buckets, a function of the rows alone: the merged histogram, and
/// so every cut, is the same however the rows were partitioned or ordered.</para>
/// <para>Memory: at most <see cref="MaxStrata"/> strata of at most <see cref="MaxBucketsPerStratum"/> buckets each, about
/// <see cref="BytesPerBucket"/> bytes a bucket (<see cref="HeldBytes"/>); a stratum reaches its bucket limit only with
/// that many distinct keys. One more stratum than allowed fails with an error naming the column and the value.</para>
/// <para>Not thread-safe: one per task.</para>
/// </remarks>
internal sealed class StrataHistogram
{
    /// <summary>The default most strata (distinct values of the stratify column).</summary>
    public const int DefaultMaxStrata = 1024;

    /// <summary>The default most non-empty buckets of one stratum (2^16).</summary>
    public const int DefaultMaxBucketsPerStratum = 1 << 16;

    /// <summary>The bits of the hash a stratum's buckets start with.</summary>
    public const int FullResolution = 32;

    /// <summary>What one non-empty bucket holds in memory, roughly (a dictionary entry of a uint and a long).</summary>
    public const int BytesPerBucket = 28;

    private static ReadOnlySpan<byte> Magic => "DSLSPLH1"u8;
    private const int FormatVersion = 1;

    private readonly SplitKeyHasher _hasher;
    private readonly Dictionary<StratumValue, Stratum> _strata = [];
    private readonly StratumResolver<Stratum> _resolver;
    private long _buckets;

    /// <summary>An empty histogram for <paramref name="plan"/>'s split of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">The plan does not fit the schema (<see cref="SplitPlanValidation"/>), has no
    /// stratify column, or a limit is below 2.</exception>
    public StrataHistogram(SplitPlan plan, BatchSchema schema, int maxStrata = DefaultMaxStrata, int maxBucketsPerStratum = DefaultMaxBucketsPerStratum)
    {
        SplitPlanValidation.Check(plan, schema);
        if (plan.StratifyBy is null)
        {
            throw new ArgumentException($"The split of sink '{plan.Sink}' is not stratified; only a stratified split counts strata.", nameof(plan));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStrata, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBucketsPerStratum, 2);
        Plan = plan;
        Schema = schema;
        MaxStrata = maxStrata;
        MaxBucketsPerStratum = maxBucketsPerStratum;
        _hasher = new SplitKeyHasher(schema, plan.Key, plan.Seed);
        _resolver = new StratumResolver<Stratum>(plan.StratifyBy, AddStratum);
    }

    /// <summary>The split it counts for.</summary>
    public SplitPlan Plan { get; }

    /// <summary>The schema of the rows it counts.</summary>
    public BatchSchema Schema { get; }

    /// <summary>The most strata it keeps.</summary>
    public int MaxStrata { get; }

    /// <summary>The most non-empty buckets of one stratum.</summary>
    public int MaxBucketsPerStratum { get; }

    /// <summary>The rows counted.</summary>
    public long Rows { get; private set; }

    /// <summary>The strata seen.</summary>
    public int StratumCount => _strata.Count;

    /// <summary>Bytes held, roughly (for the memory budget's accounting).</summary>
    public long HeldBytes => (_buckets * BytesPerBucket) + (_strata.Count * 128L);

    /// <summary>The bits of the hash that stratum <paramref name="value"/>'s buckets use now, or null when it was not seen.</summary>
    public int? ResolutionOf(StratumValue value) => _strata.TryGetValue(value, out Stratum? s) ? s.Resolution : null;

    /// <summary>The bucket of <paramref name="hash"/> at <paramref name="resolution"/> bits: its top bits.</summary>
    public static ulong Bucket(ulong hash, int resolution) => resolution == 0 ? 0 : hash >> (64 - resolution);

    /// <summary>Counts the rows of <paramref name="batch"/>.</summary>
    /// <exception cref="InvalidOperationException">A new stratum would exceed <see cref="MaxStrata"/>, or the batch lacks a column.</exception>
    public void Add(RecordBatch batch)
    {
        int rows = batch.RowCount;
        if (rows == 0)
        {
            return;
        }
        ulong[] hashes = ArrayPool<ulong>.Shared.Rent(rows);
        Stratum[] states = ArrayPool<Stratum>.Shared.Rent(rows);
        try
        {
            _hasher.Hash(batch, hashes);
            _resolver.Resolve(batch, states);
            for (int row = 0; row < rows; row++)
            {
                Stratum stratum = states[row];
                long before = stratum.Counts.Count;
                stratum.Add(hashes[row], MaxBucketsPerStratum);
                _buckets += stratum.Counts.Count - before;
            }
            Rows += rows;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(hashes);
            ArrayPool<Stratum>.Shared.Return(states, clearArray: true);
        }
    }

    /// <summary>Adds <paramref name="other"/>'s counts (another task's) to this one's.</summary>
    /// <exception cref="ArgumentException">The two count for different splits or with different limits.</exception>
    /// <exception cref="InvalidOperationException">The merged strata would exceed <see cref="MaxStrata"/>.</exception>
    public void Merge(StrataHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("A split histogram cannot be merged into itself.", nameof(other));
        }
        if (Describe() != other.Describe())
        {
            throw new ArgumentException($"Split histograms of different splits cannot be merged: this one counts {Describe()}, the other {other.Describe()}.", nameof(other));
        }
        foreach (Stratum theirs in other._strata.Values.OrderBy(s => s.Value))
        {
            if (!_strata.TryGetValue(theirs.Value, out Stratum? mine))
            {
                mine = AddStratum(theirs.Value);
            }
            long before = mine.Counts.Count;
            mine.Merge(theirs, MaxBucketsPerStratum);
            _buckets += mine.Counts.Count - before;
        }
        Rows += other.Rows;
    }

    /// <summary>Each stratum's cut points, from the counts so far (all of the split's rows, once merged).</summary>
    public SplitCuts ComputeCuts()
    {
        double[] cumulative = SplitCuts.Cumulative(Plan.Fractions);
        var strata = new List<StratumCuts>(_strata.Count);
        foreach (Stratum stratum in _strata.Values.OrderBy(s => s.Value))
        {
            strata.Add(stratum.Cut(cumulative));
        }
        return new SplitCuts(Plan, strata);
    }

    /// <summary>
    /// Writes the counts to <paramref name="stream"/> in a little-endian binary format that <see cref="ReadFrom"/>
    /// reads back on any machine: a header naming the split (seed, key, stratify column, limits), then each stratum in
    /// order with its buckets in order.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Describe());
        writer.Write(Rows);
        writer.Write(_strata.Count);
        foreach (Stratum stratum in _strata.Values.OrderBy(s => s.Value))
        {
            writer.Write((byte)stratum.Value.Kind);
            writer.Write(stratum.Value.Number);
            writer.Write(stratum.Value.Text ?? "");
            writer.Write(stratum.Rows);
            writer.Write((byte)stratum.Resolution);
            writer.Write(stratum.Counts.Count);
            foreach (KeyValuePair<uint, long> bucket in stratum.Counts.OrderBy(b => b.Key))
            {
                writer.Write(bucket.Key);
                writer.Write(bucket.Value);
            }
        }
    }

    /// <summary>Reads counts that <see cref="WriteTo"/> wrote for the same split.</summary>
    /// <exception cref="InvalidDataException">The data is not such counts, is damaged, or counts for another split.</exception>
    public static StrataHistogram ReadFrom(Stream stream, SplitPlan plan, BatchSchema schema, int maxStrata = DefaultMaxStrata, int maxBucketsPerStratum = DefaultMaxBucketsPerStratum)
    {
        var histogram = new StrataHistogram(plan, schema, maxStrata, maxBucketsPerStratum);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            reader.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
            {
                throw Damaged("it does not start with the split histogram header");
            }
            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw Damaged($"it has format version {version}, and this runtime reads version {FormatVersion}");
            }
            string counted = reader.ReadString();
            if (counted != histogram.Describe())
            {
                throw new InvalidDataException($"The split histogram counts {counted}, not {histogram.Describe()}; it was written for another split.");
            }
            long rows = reader.ReadInt64();
            int strata = reader.ReadInt32();
            if (strata < 0 || strata > maxStrata)
            {
                throw Damaged($"it claims {strata} strata, outside 0 to {maxStrata}");
            }
            StratumValue? previous = null;
            long total = 0;
            for (int s = 0; s < strata; s++)
            {
                var kind = (StratumKind)reader.ReadByte();
                long number = reader.ReadInt64();
                string text = reader.ReadString();
                bool valid = kind switch
                {
                    StratumKind.Null or StratumKind.Text => number == 0,
                    StratumKind.Boolean => number is 0 or 1,
                    StratumKind.Integer => true,
                    _ => false,
                };
                if (!valid || (kind != StratumKind.Text && text.Length > 0))
                {
                    throw Damaged($"stratum {s} has kind {(byte)kind} with number {number} and text '{text}', which is no stratum value");
                }
                var value = new StratumValue(kind, number, kind == StratumKind.Text ? text : null);
                if (previous is { } p && p.CompareTo(value) >= 0)
                {
                    throw Damaged($"stratum {value} does not follow stratum {p} in order");
                }
                previous = value;
                Stratum stratum = histogram.AddStratum(value);
                stratum.Read(reader, maxBucketsPerStratum);
                histogram._buckets += stratum.Counts.Count;
                total += stratum.Rows;
            }
            if (total != rows)
            {
                throw Damaged($"its strata hold {total} rows but its header says {rows}");
            }
            histogram.Rows = rows;
            return histogram;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The split histogram is damaged: it ends early.", e);
        }
    }

    private static InvalidDataException Damaged(string why) => new($"The split histogram is damaged: {why}.");

    // What makes two histograms mergeable: the hash (seed, key), the strata (column) and the limits.
    private string Describe() =>
        $"sink '{Plan.Sink}', key ({string.Join(", ", Plan.Key)}), seed {Plan.Seed}, strata of '{Plan.StratifyBy}', at most {MaxStrata} strata of {MaxBucketsPerStratum} buckets";

    private Stratum AddStratum(StratumValue value)
    {
        if (_strata.Count >= MaxStrata)
        {
            throw new InvalidOperationException(
                $"The split of sink '{Plan.Sink}' is stratified by '{Plan.StratifyBy}', which has more than {MaxStrata} distinct values ({value} is one more); a stratified split keeps a histogram for each value, at most {MaxStrata}. Stratify by a column with fewer values, such as a bucket of it computed in a Map stage.");
        }
        var stratum = new Stratum(value);
        _strata.Add(value, stratum);
        return stratum;
    }

    /// <summary>One stratum's counts: rows per bucket of the top <see cref="Resolution"/> bits of the hash.</summary>
    private sealed class Stratum(StratumValue value)
    {
        public StratumValue Value { get; } = value;

        public long Rows { get; private set; }

        public int Resolution { get; private set; } = FullResolution;

        public Dictionary<uint, long> Counts { get; private set; } = [];

        public void Add(ulong hash, int maxBuckets)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(Counts, (uint)Bucket(hash, Resolution), out _)++;
            Rows++;
            if (Counts.Count > maxBuckets)
            {
                Coarsen(Resolution - 1, maxBuckets);
            }
        }

        public void Merge(Stratum other, int maxBuckets)
        {
            if (other.Resolution < Resolution)
            {
                Coarsen(other.Resolution, maxBuckets);
            }
            int shift = other.Resolution - Resolution;
            foreach (KeyValuePair<uint, long> bucket in other.Counts)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(Counts, bucket.Key >> shift, out _) += bucket.Value;
            }
            Rows += other.Rows;
            if (Counts.Count > maxBuckets)
            {
                Coarsen(Resolution - 1, maxBuckets);
            }
        }

        public void Read(BinaryReader reader, int maxBuckets)
        {
            Rows = reader.ReadInt64();
            Resolution = reader.ReadByte();
            int count = reader.ReadInt32();
            if (Resolution > FullResolution || count < 0 || count > maxBuckets || Rows < 0)
            {
                throw Damaged($"stratum {Value} claims {count} buckets at {Resolution} bits with {Rows} rows");
            }
            long total = 0;
            long previous = -1;
            ulong limit = 1UL << Resolution;
            for (int i = 0; i < count; i++)
            {
                uint bucket = reader.ReadUInt32();
                long rows = reader.ReadInt64();
                if (bucket <= previous || bucket >= limit || rows <= 0)
                {
                    throw Damaged($"stratum {Value} has bucket {bucket} with {rows} rows out of order or range");
                }
                previous = bucket;
                total += rows;
                Counts.Add(bucket, rows);
            }
            if (total != Rows)
            {
                throw Damaged($"stratum {Value}'s buckets hold {total} rows but it says {Rows}");
            }
        }

        // Drops bits until the buckets fit: from any resolution at or above the final one, this stops at the largest
        // resolution whose buckets fit, which is why the result does not depend on how the rows were partitioned.
        private void Coarsen(int resolution, int maxBuckets)
        {
            while (true)
            {
                int shift = Resolution - resolution;
                var coarse = new Dictionary<uint, long>(Math.Min(Counts.Count, maxBuckets + 1));
                foreach (KeyValuePair<uint, long> bucket in Counts)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(coarse, bucket.Key >> shift, out _) += bucket.Value;
                }
                Counts = coarse;
                Resolution = resolution;
                if (Counts.Count <= maxBuckets)
                {
                    return;
                }
                resolution--;
            }
        }

        // Each asked cut (c_k × rows) goes to the bucket boundary nearest it (the lower one on a tie). Boundary i has
        // the first i buckets below it; the targets grow with k, so one forward scan finds them all.
        public StratumCuts Cut(double[] cumulative)
        {
            KeyValuePair<uint, long>[] buckets = [.. Counts.OrderBy(b => b.Key)];
            int cuts = cumulative.Length - 1;
            var thresholds = new ulong[cuts];
            var below = new long[cuts];
            var straddling = new long[cuts];
            int i = 0;
            long atI = 0;
            for (int k = 0; k < cuts; k++)
            {
                double target = cumulative[k] * Rows;
                // The last boundary at or below the target.
                while (i < buckets.Length && atI + buckets[i].Value <= target)
                {
                    atI += buckets[i].Value;
                    i++;
                }
                int chosen = i;
                long rowsBelow = atI;
                if (i < buckets.Length && atI < target)
                {
                    long next = atI + buckets[i].Value;
                    straddling[k] = buckets[i].Value;
                    if (next - target < target - atI)
                    {
                        chosen = i + 1;
                        rowsBelow = next;
                    }
                }
                thresholds[k] = chosen < buckets.Length ? buckets[chosen].Key : 1UL << Resolution;
                below[k] = rowsBelow;
            }
            var subsetRows = new long[cumulative.Length];
            for (int k = 0; k < subsetRows.Length; k++)
            {
                long upTo = k < cuts ? below[k] : Rows;
                subsetRows[k] = upTo - (k > 0 ? below[k - 1] : 0);
            }
            return new StratumCuts(Value, Rows, Resolution, thresholds, subsetRows, straddling);
        }
    }
}
