namespace DeviceSim.Fleet;

/// <summary>
/// A hash that is the same in every process (string.GetHashCode is randomised per process), used to derive each
/// device's own random seed from the run seed and its id.
/// </summary>
public static class StableHash
{
    /// <summary>64-bit FNV-1a of the UTF-16 code units.</summary>
    public static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    /// <summary>A 31-bit seed mixing the run seed with a name.</summary>
    public static int Seed(int runSeed, string name)
    {
        var mixed = Fnv1a(name) ^ ((ulong)(uint)runSeed * 0x9E3779B97F4A7C15UL);
        mixed ^= mixed >> 33;
        mixed *= 0xFF51AFD7ED558CCDUL;
        mixed ^= mixed >> 33;
        return (int)(mixed & 0x7FFF_FFFF);
    }
}
