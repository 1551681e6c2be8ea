namespace Dsl.Generators.Tests.Barriers;

/// <summary>Pipelines with aggregate, join and split stages shared by the barrier tests.</summary>
internal static class BarrierSources
{
    /// <summary>filter -> map -> aggregate -> map (the sink), with a split on the sink.</summary>
    public const string Spend = TestSources.Usings + """
        namespace B;

        [Schema]
        public partial record Purchase(long UserId, DateTime Ts, string Country, double Amount, int Items, double? Discount);

        [Schema]
        public partial record Priced(long UserId, DateTime Ts, double Net, int Items, double? Discount);

        [Schema]
        public partial record UserSpend(long UserId, long Orders, double Total, long Items, double MeanNet, double StdNet, double? MaxDiscount, DateTime LastTs, double LastNet, long Days);

        [Schema]
        public partial record UserFeatures(long UserId, double Total, double AverageOrder, bool Frequent);

        [Pipeline("spend")]
        public static partial class Spend
        {
            [Filter]
            static bool Valid(Purchase p) => p.Amount > 0;

            [Map(From = nameof(Valid))]
            static Priced Price(Purchase p) => new(p.UserId, p.Ts, p.Amount - (p.Discount ?? 0), p.Items, p.Discount);

            [Aggregate(By = new[] { nameof(Priced.UserId) }, From = nameof(Price))]
            static UserSpend PerUser(Group<Priced> g) => new(
                g.Key(t => t.UserId),
                g.Count(),
                g.Sum(t => t.Net),
                g.Sum(t => t.Items),
                g.Mean(t => t.Net),
                g.Std(t => t.Net),
                g.Max(t => t.Discount),
                g.Max(t => t.Ts),
                g.Last(t => t.Net, t => t.Ts),
                g.CountDistinct(t => t.Ts));

            [Map(From = nameof(PerUser))]
            [Split(Key = new[] { nameof(UserFeatures.UserId) }, Names = new[] { "train", "test" }, Fractions = new[] { 0.75, 0.25 }, Seed = 7, StratifyBy = nameof(UserFeatures.Frequent))]
            static UserFeatures Featurize(UserSpend s) => new(s.UserId, s.Total, s.Total / s.Orders, s.Orders >= 10);
        }
        """;

    /// <summary>A left join of the pipeline input with a users table, written as it is (a sink join).</summary>
    public const string Enriched = TestSources.Usings + """
        namespace J;

        [Schema]
        public partial record Click(long UserId, int Page, DateTime At);

        [Schema]
        public partial record User(int Id, string Country, [property: Column("signup_year")] int SignupYear, double? Score);

        [Schema]
        public partial record EnrichedClick(long UserId, int Page, string? Country, int? SignupYear, double? Score);

        [Pipeline("enriched")]
        public static partial class Enrich
        {
            [Join(Table = "users", On = new[] { nameof(Click.UserId) }, RightOn = new[] { nameof(User.Id) }, Kind = JoinKind.Left)]
            static EnrichedClick WithUser(Click c, User? u) => new(c.UserId, c.Page, u?.Country, u?.SignupYear, u?.Score);
        }
        """;
}
