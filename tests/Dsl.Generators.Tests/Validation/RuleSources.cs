namespace Dsl.Generators.Tests.Validation;

/// <summary>Pipelines with row rules, checks and row errors, shared by the validation tests and the snapshots.</summary>
internal static class RuleSources
{
    /// <summary>Every member rule kind on the input, with each action, then a filter.</summary>
    public const string MemberRules = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record V(
            [property: Range(0, 100)] double Amount,
            [property: Range(0, 10, MinExclusive = true, MaxExclusive = true, Action = RuleAction.Warn)] double? Ratio,
            [property: NotNull(Action = RuleAction.Drop)] string? Name,
            [property: OneOf("FR", "DE", "é")] string Country,
            [property: MinLength(2), MaxLength(4)] string? Code,
            [property: Regex("^[A-Z]{2}$", Id = "tag-format")] string Tag,
            [property: Finite(Action = RuleAction.Fail)] double? Score,
            [property: OneOf(1, 2, 4)] int Level,
            [property: Range(1.5, 9.5)] long Count,
            [property: Range(0, 0.1)] float Share);

        [Pipeline("member-rules")]
        public static partial class Rules
        {
            [Filter]
            static bool NotThree(V v) => v.Level != 3;
        }
        """;

    /// <summary>Checks (one cross-column, one with a parameter object and Warn), a map whose output has a rule, and a stage that quarantines its row errors.</summary>
    public const string Checks = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Trip(long Id, DateTime Pickup, DateTime Dropoff, double Fare, int Passengers);

        [Schema]
        public partial record Priced(long Id, [property: Range(0, 50)] double PerPassenger, int Minutes);

        public sealed record Limits(double MaxFare);

        [Pipeline("checks")]
        public static partial class Trips
        {
            [Check(Message = "drop-off before pick-up")]
            static bool Ordered(Trip t) => t.Dropoff >= t.Pickup;

            [Check(From = nameof(Ordered), Action = RuleAction.Warn)]
            static bool Cheap(Trip t, Limits l) => t.Fare <= l.MaxFare;

            [Map(From = nameof(Cheap), OnRowError = RowErrorAction.Quarantine)]
            static Priced Price(Trip t) => new(t.Id, t.Fare / t.Passengers, (int)(t.Dropoff - t.Pickup).TotalMinutes / t.Passengers);
        }
        """;
}
