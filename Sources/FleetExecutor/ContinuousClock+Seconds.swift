extension ContinuousClock.Instant {
    /// Seconds since an arbitrary start (the first use in this process), for clocks passed around as `Double`.
    public var secondsSinceStart: Double {
        let components = (self - ContinuousClock.Instant.reference).components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    private static let reference = ContinuousClock.now
}
