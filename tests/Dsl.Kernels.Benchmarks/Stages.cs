namespace Dsl.Kernels.Benchmarks;

// ---- double arithmetic -------------------------------------------------------------------------------------

[Schema]
public partial record Pair(double A, double B);

[Schema]
public partial record Blend(double Y);

[Pipeline("bench-arithmetic")]
public static partial class ArithmeticStages
{
    [Map]
    public static Blend Mix(Pair p) => new((p.A * p.B + 1.5) - p.A / 3 + Math.Min(p.A, p.B) * 0.25);
}

// ---- comparisons and filters -------------------------------------------------------------------------------

[Pipeline("bench-filter")]
public static partial class FilterStages
{
    [Filter]
    public static bool Keep(Pair p) => p.A > 0.25 && p.B < 0.75 || p.A == p.B;
}

// ---- nullable ----------------------------------------------------------------------------------------------

[Schema]
public partial record Sparse(double? X, double Y);

[Schema]
public partial record Filled(double? Z, double W);

[Pipeline("bench-nullable")]
public static partial class NullableStages
{
    [Map]
    public static Filled Fill(Sparse s) => new(s.X * 2 + s.Y, s.X ?? s.Y);
}

// ---- DateTime parts ----------------------------------------------------------------------------------------

[Schema]
public partial record Event(DateTime Ts);

[Schema]
public partial record When(int Hour, bool Weekend, int Month);

[Pipeline("bench-dates")]
public static partial class DateStages
{
    [Map]
    public static When Parts(Event e) => new(e.Ts.Hour, e.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, e.Ts.Month);
}

// ---- DateOnly parts (Parquet DATE: days since 1970) --------------------------------------------------------------

[Schema]
public partial record Day(DateOnly Date);

[Schema]
public partial record Calendar(int Year, int Month, int DayOfMonth, bool Weekend);

[Pipeline("bench-calendar")]
public static partial class CalendarStages
{
    [Map]
    public static Calendar Parts(Day d) => new(d.Date.Year, d.Date.Month, d.Date.Day, d.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
}

// ---- strings -----------------------------------------------------------------------------------------------

[Schema]
public partial record Visit(string Country);

[Schema]
public partial record Encoded(int Bucket, bool IsUs, int Length);

[Pipeline("bench-strings")]
public static partial class StringStages
{
    [Map]
    public static Encoded Encode(Visit v) => new(Hashing.Bucket(v.Country, 1024), v.Country == "US", v.Country.Length);
}

// ---- integer division ---------------------------------------------------------------------------------------

[Schema]
public partial record Counts(int N, int D, long Big, long By);

[Schema]
public partial record Ratios(int Quotient, int Remainder, long LongQuotient);

[Pipeline("bench-division")]
public static partial class DivisionStages
{
    [Map]
    public static Ratios Divide(Counts c) => new(c.N / c.D, c.N % c.D, c.Big / c.By);
}

// ---- the template's feature stage (templates/Dsl.Templates/content/dsl-pipeline) ----------------------------

[Schema]
public partial record Transaction(long UserId, DateTime Ts, string Country, double Amount, double? SessionSeconds, bool Label);

[Schema]
public partial record Features(long UserId, double LogAmount, double AmountZ, int Hour, bool IsWeekend, int CountryBucket, double SessionMinutes, bool IsHighValue, bool Label);

public sealed record AmountScaling(double Mean, double Std);

[Pipeline("bench-features")]
public static partial class FraudFeatures
{
    [Filter]
    public static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

    [Map(From = nameof(Valid))]
    public static Features Featurize(Transaction t, AmountScaling s) => new(
        t.UserId,
        Math.Log(1 + t.Amount),
        (t.Amount - s.Mean) / s.Std,
        t.Ts.Hour,
        t.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
        Hashing.Bucket(t.Country, 1024),
        t.SessionSeconds.GetValueOrDefault() / 60.0,
        t.Amount > 1_000,
        t.Label);
}
