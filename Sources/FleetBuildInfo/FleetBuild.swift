/// What `--version` prints for the three binaries: the release and the commit they were built from.
public enum FleetBuild {
    public static let version = "0.1.0"
    /// The commit, with `-dirty` when tracked files had changes; `unknown` outside a git checkout.
    public static let commit = BuildStamp.commit

    /// `0.1.0 (commit 5d43980a1b2c)`
    public static var versionLine: String { "\(version) (commit \(commit))" }
}
