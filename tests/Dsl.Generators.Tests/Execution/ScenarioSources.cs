namespace Dsl.Generators.Tests.Execution;

/// <summary>Pipelines exercising one kernel feature each; all run through <see cref="Infrastructure.DifferentialRunner"/>.</summary>
internal static class ScenarioSources
{
    /// <summary>Row rules of every kind on the input schema (see <see cref="Validation.RuleSources"/>).</summary>
    public const string MemberRules = Validation.RuleSources.MemberRules;

    /// <summary>Check stages, a rule on a map's output and a stage that quarantines its row errors.</summary>
    public const string Checks = Validation.RuleSources.Checks;

    /// <summary>
    /// A score stage over the snippet builds' tiny XGBoost model (<see cref="Infrastructure.TestModels.Tiny"/>), between a
    /// feature map and a map after it: its own segment, the model class, and the batch scoring in its kernel.
    /// </summary>
    public const string ScoreStage = TestSources.Usings + """
        namespace S;

        [Schema] public partial record Txn(long Id, double Amount, bool Label);
        [Schema] public partial record Feat(long Id, double Amount, bool Label);
        [Schema] public partial record Scored(long Id, float Probability, bool Label);
        [Schema] public partial record Flagged(long Id, bool Flag);

        [Pipeline("scored")]
        public static partial class Scoring
        {
            [Filter] static bool Valid(Txn t) => t.Amount >= 0;

            [Map(From = nameof(Valid))] static Feat Featurize(Txn t) => new(t.Id, t.Amount * 2, t.Label);

            [Score("models/tiny.json", From = nameof(Featurize))]
            static Scored Predict(Feat f, float Probability) => new(f.Id, Probability, f.Label);

            [Map(From = nameof(Predict))] static Flagged Flag(Scored s) => new(s.Id, s.Probability > 0.5f);
        }
        """;

    public const string FilterOnly = TestSources.Usings + """
        namespace S;

        """ + TestSources.TransactionSchema + """
        [Pipeline("filter-only")]
        public static partial class OnlyFilters
        {
            [Filter]
            static bool Big(Transaction t) => t.Amount > 100 || t.Country == "FR" || !t.Label;

            [Filter(From = nameof(Big))]
            static bool Recent(Transaction t) => t.Ts.Year >= 2000 && t.SessionSeconds is null or > 1.5;
        }
        """;

    public const string MapChain = TestSources.Usings + """
        namespace S;

        """ + TestSources.TransactionSchema + """
        [Schema]
        public partial record Mid(long UserId, double Scaled, string Country, int Hour);

        [Schema]
        public partial record Scored(long UserId, double Score, string Country, string Tag, int Length);

        [Pipeline("chain")]
        public static partial class Chain
        {
            [Map]
            static Mid Scale(Transaction t) => new(t.UserId, t.Amount / 100.0, t.Country, t.Ts.Hour);

            [Filter]
            static bool Daytime(Mid m) => m.Hour is >= 8 and < 20;

            [Map(From = nameof(Daytime))]
            static Scored Score(Mid m) => new Scored(m.UserId, Math.Round(m.Scaled * 3, 2), m.Country, m.Country.ToUpperInvariant() + "-" + m.Hour, m.Country.Length);
        }
        """;

    public const string Branches = TestSources.Usings + """
        namespace S;

        """ + TestSources.TransactionSchema + """
        [Schema]
        public partial record Doubled(long UserId, double Value);

        [Schema]
        public partial record Labelled(string Country, bool Label);

        [Pipeline("branches")]
        public static partial class Branching
        {
            [Filter]
            static bool Valid(Transaction t) => !double.IsNaN(t.Amount);

            [Map(From = nameof(Valid))]
            static Doubled ToDoubled(Transaction t) => new(t.UserId, t.Amount * 2);

            [Map(From = nameof(Valid))]
            static Labelled ToLabelled(Transaction t) => new(t.Country, t.Label);

            [Filter]
            static bool Positive(Doubled d) => d.Value > 0;
        }
        """;

    public const string Nullable = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Sparse(int? Count, double? Score, string? Name, long Id, DateTime? When, bool? Flag);

        [Schema]
        public partial record Lifted(int? Doubled, double Filled, bool HasScore, double Sum, string Name, int? Length, bool InRange, double? Mixed, int? Year, bool FlagOrMany);

        [Pipeline("nullable")]
        public static partial class Lifting
        {
            [Filter]
            static bool NotZero(Sparse s) => s.Count != 0;

            [Map]
            static Lifted Lift(Sparse s) => new(
                s.Count * 2,
                s.Score ?? -1,
                s.Score.HasValue,
                s.Score.GetValueOrDefault() + s.Id,
                s.Name ?? "none",
                s.Name is null ? null : s.Name.Length,
                s.Score is > 10 and < 100,
                s.Count + s.Score,
                s.When.HasValue ? s.When.Value.Year : null,
                s.Flag == true || s.Count > 3);
        }
        """;

    public const string CheckedOverflow = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Numbers(long A, int B, double D);

        [Schema]
        public partial record Products(long Product, int Narrow, long Wrapped, int Quotient);

        [Pipeline("checked")]
        public static partial class Overflowing
        {
            [Map]
            static Products Compute(Numbers n) => new(checked(n.A * 3), (int)n.D, unchecked(n.A * 31 + n.B), n.B / 7 + checked(n.B + 1));
        }
        """;

    public const string CheckedByDefault = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Numbers(long A, int B, double D);

        [Schema]
        public partial record Sums(long Next, long Wrapped, int Halved);

        [Pipeline("checked-default")]
        public static partial class CheckedProject
        {
            [Filter]
            static bool Small(Numbers n) => n.B < 1000;

            [Map(From = nameof(Small))]
            static Sums Add(Numbers n) => new(n.A + 1, unchecked(n.A * 31), n.B / 2);
        }
        """;

    public const string DivideByZero = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Numbers(long A, int B, double D);

        [Schema]
        public partial record Ratios(int Ratio, double Real);

        [Pipeline("divide")]
        public static partial class Dividing
        {
            [Map]
            static Ratios Divide(Numbers n) => new(1000 / n.B, n.D / n.B);
        }
        """;

    public const string Strings = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Person(string Name, string? Nick, int N);

        [Schema]
        public partial record Texts(string Name, string? Nick, string Upper, string Joined, int Length, bool Empty, string? NickUnlessFr, string First, int Bucket, int? NickLength, int Code, string Kind);

        [Pipeline("strings")]
        public static partial class Texting
        {
            [Filter]
            static bool NotDe(Person p) => p.Name != "de";

            [Map(From = nameof(NotDe))]
            static Texts Describe(Person p) => new(
                p.Name,
                p.Nick,
                p.Name.ToUpperInvariant(),
                p.Name + "/" + (p.Nick ?? "-"),
                p.Name.Length,
                string.IsNullOrEmpty(p.Name),
                p.Nick == "FR" ? null : p.Nick,
                p.Name.Length > 0 ? p.Name.Substring(0, 1) : "",
                Hashing.Bucket(p.Nick, 16),
                p.Nick?.Trim().Length,
                p.Name switch { "FR" => 1, "de" or "A" => 2, "" => nameof(p.Name).Length, _ => 0 },
                p.N switch { < 0 => "negative", 0 => "zero", var _ when p.Name.Length > 3 => "long", _ => "positive" });
        }
        """;

    public const string DateParts = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Event(DateTime Ts, DateTime? Maybe, long Id);

        [Schema]
        public partial record Parts(int Year, int Month, int Day, int Hour, int Minute, int Second, int DayOfYear, bool Weekend, DateTime NextDay, double HoursSinceEpoch, DateTime? MaybePlusHour, bool After2000, long Ticks, DateTime Date);

        [Pipeline("dates")]
        public static partial class Dates
        {
            [Map]
            static Parts Split(Event e) => new(
                e.Ts.Year, e.Ts.Month, e.Ts.Day, e.Ts.Hour, e.Ts.Minute, e.Ts.Second, e.Ts.DayOfYear,
                e.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
                e.Ts.AddDays(1),
                (e.Ts - DateTime.UnixEpoch).TotalHours,
                e.Maybe + TimeSpan.FromHours(1),
                e.Ts > new DateTime(2000, 1, 1),
                e.Ts.Ticks,
                e.Ts.Date);
        }
        """;

    public const string Fallback = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Order(long Id, double Amount, string Country);

        [Schema]
        public partial record Weighted(long Id, double Score);

        [Pipeline("fallback")]
        public static partial class Falling
        {
            [Filter]
            static bool Keep(Order o)
            {
                if (o.Amount > 5)
                {
                    return true;
                }
                return o.Country == "FR";
            }

            [Map(From = nameof(Keep))]
            static Weighted Weigh(Order o) => new(o.Id, Score(o));

            [Filter(From = nameof(Weigh))]
            static bool Positive(Weighted w) => w.Score > 0;

            // Block-bodied, so it cannot be inlined, and a call would need the row object: Weigh calls its method per row.
            static double Score(Order o)
            {
                return o.Amount * 2;
            }
        }
        """;

    public const string RenamedAndNested = TestSources.Usings + """
        namespace S;

        public static partial class Outer
        {
            [Schema]
            public partial record Raw([property: Column("user_id")] long UserId, [property: Column("amount_usd")] double Amount, string? Tag);

            [Schema]
            public partial record Clean([property: Column("user")] long UserId, double Cents, string? Tag);

            [Pipeline("renamed")]
            public static partial class Renaming
            {
                [Map]
                static Clean ToCents(Raw r) => new(r.UserId, Math.Round(r.Amount * 100), r.Tag);
            }
        }
        """;

    public const string Numeric = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Measures(int A, int B, float F, double D, long L);

        [Schema]
        public partial record Derived(int Remainder, int Shifted, int Masked, float Scaled, double Widened, int Negated, int Absolute, double Root, float Floor, long Clamped, bool Between, int Sign, double Mixed);

        [Pipeline("numeric")]
        public static partial class Numbers
        {
            const int Scale = 3;

            [Filter]
            static bool Any(Measures m) => m.B != 0 || m.A > Scale;

            [Map(From = nameof(Any))]
            static Derived Derive(Measures m) => new(
                m.B == 0 ? -1 : m.A % m.B,
                m.A << 3 >> 1,
                m.A & 0xFF ^ m.B | 1,
                m.F * 0.5f,
                m.F + m.D,
                -m.A,
                Math.Abs(m.A),
                Math.Sqrt(m.D),
                MathF.Floor(m.F),
                Math.Clamp(m.L, -1000L, 1000L),
                m.D is >= -1 and <= 1 and not 0,
                Math.Sign(m.D),
                m.A / 2.0 + m.L * 1e-3 - (m.F > 0 ? m.F : -m.F));
        }
        """;

    public const string Helpers = TestSources.Usings + """
        namespace S;

        """ + TestSources.TransactionSchema + """
        [Schema]
        public partial record Helped(double Half, double Clipped, bool IsFr, bool AboveThreshold, int Weekday, double Rounded, double Weighted);

        public static class DoubleExtensions
        {
            public static double Half(this double x) => x / 2;
        }

        [Pipeline("helpers")]
        public static partial class Helping
        {
            private static readonly double s_threshold = 2.5;
            private const string Fr = "FR";

            [Map]
            static Helped Help(Transaction t) => new(
                t.Amount.Half(),
                Clip(t.Amount, max: 100, min: -100),
                t.Country == Fr,
                t.Amount > s_threshold,
                (int)t.Ts.DayOfWeek,
                Math.Round(t.Amount, 1, MidpointRounding.AwayFromZero),
                Weight(t.Amount));

            private static double Clip(double x, double min = 0, double max = 1) => Math.Min(Math.Max(x, min), max);

            private static double Weight(double x, double factor = 3) => x * factor;
        }
        """;

    /// <summary>
    /// Two fit stages observing a filter (one first-pass segment, written only with the columns they read), a map
    /// taking one fitted record and a filter taking the other (arrays: the filter calls its method per row).
    /// </summary>
    public const string Fitted = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Purchase(long UserId, string Country, [property: Range(0, 1e6)] double Amount, double? Session, int Items);

        [Schema]
        public partial record Scored(long UserId, double AmountZ, string Country, int Items);

        public sealed record AmountScaling(double Mean, double Std, long Seen);

        public sealed record Categories(string[] Countries, double[] ItemBounds);

        [Pipeline("fitted")]
        public static partial class Fitting
        {
            [Filter]
            static bool Valid(Purchase p) => p.Session is not null;

            [Map(From = nameof(Valid))]
            static Scored Score(Purchase p, AmountScaling s) => new(p.UserId, (p.Amount - s.Mean) / s.Std, p.Country, p.Items);

            [Filter(From = nameof(Score))]
            static bool Known(Scored s, Categories c) => Array.IndexOf(c.Countries, s.Country) >= 0;

            [Fit(From = nameof(Valid))]
            static AmountScaling Scale(FitData<Purchase> d) => new(d.Mean(p => p.Amount), d.Std(p => p.Amount), d.Count());

            [Fit(From = nameof(Valid))]
            static Categories Categorize(FitData<Purchase> d) =>
                new(d.Vocabulary(p => p.Country, maxSize: 50), d.QuantileBoundaries(p => p.Items, 4));
        }
        """;
}
