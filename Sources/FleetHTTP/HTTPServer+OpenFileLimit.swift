import Glibc

extension HTTPServer {
    /// Raises the soft RLIMIT_NOFILE to the hard limit so that 10,000+ held connections fit. Call once at
    /// start-up; failures leave the limit unchanged.
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
