import Testing
import FleetHTTP

@Suite struct RouterTests {
    private func router() -> Router<String> {
        var router = Router<String>()
        router.add("GET", "/v1/devices", "list")
        router.add("POST", "/v1/devices", "create")
        router.add("GET", "/v1/devices/{id}", "show")
        router.add("DELETE", "/v1/devices/{id}", "delete")
        router.add("GET", "/v1/devices/mine", "mine")
        router.add("GET", "/v1/devices/{id}/commands", "commands")
        router.add("POST", "/v1/devices/{device}/commands/{command}/ack", "ack")
        return router
    }

    private func found(_ match: Router<String>.Match) -> (route: String, parameters: [String: String], pattern: String)? {
        guard case .found(let route, let parameters, let pattern) = match else { return nil }
        return (route, parameters, pattern)
    }

    @Test func literalSegmentWinsOverParameter() {
        let match = found(router().match(method: "GET", path: "/v1/devices/mine"))
        #expect(match?.route == "mine")
        #expect(match?.parameters == [:])
        #expect(match?.pattern == "/v1/devices/mine")
    }

    @Test func literalWinsRegardlessOfRegistrationOrder() {
        var router = Router<String>()
        router.add("GET", "/a/{x}/c", "param-first")
        router.add("GET", "/a/b/{y}", "literal-first")
        #expect(found(router.match(method: "GET", path: "/a/b/c"))?.route == "literal-first")
        #expect(found(router.match(method: "GET", path: "/a/z/c"))?.parameters == ["x": "z"])
    }

    @Test func parameterSegmentsAreCaptured() {
        let match = found(router().match(method: "POST", path: "/v1/devices/d1/commands/c9/ack"))
        #expect(match?.route == "ack")
        #expect(match?.parameters == ["device": "d1", "command": "c9"])
        #expect(match?.pattern == "/v1/devices/{device}/commands/{command}/ack")
    }

    @Test func wrongMethodListsAllowedMethodsSorted() {
        guard case .methodNotAllowed(let allowed) = router().match(method: "PUT", path: "/v1/devices/42") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["DELETE", "GET"])
    }

    @Test func methodsMatchExactly() {
        guard case .methodNotAllowed(let allowed) = router().match(method: "HEAD", path: "/v1/devices") else {
            Issue.record("expected 405 for HEAD on a GET route")
            return
        }
        #expect(allowed == ["GET", "POST"])
        guard case .methodNotAllowed = router().match(method: "get", path: "/v1/devices") else {
            Issue.record("method comparison must be case-sensitive")
            return
        }
    }

    @Test func unknownPathIsNotFound() {
        for path in ["/v2/devices", "/v1/devices/42/unknown", "/", "", "/v1/devices//commands"] {
            guard case .notFound = router().match(method: "GET", path: path) else {
                Issue.record("expected 404 for \(path)")
                continue
            }
        }
    }

    @Test func trailingSlashIsTolerated() {
        #expect(found(router().match(method: "GET", path: "/v1/devices/"))?.route == "list")
        #expect(found(router().match(method: "GET", path: "/v1/devices/7/commands/"))?.parameters == ["id": "7"])
        var router = Router<String>()
        router.add("GET", "/health/", "health")
        #expect(found(router.match(method: "GET", path: "/health"))?.route == "health")
    }

    @Test func segmentsArePercentDecoded() {
        let router = router()
        #expect(found(router.match(method: "GET", path: "/v1/devices/a%2Fb"))?.parameters == ["id": "a/b"])
        #expect(found(router.match(method: "GET", path: "/v1/devices/caf%C3%A9%20x"))?.parameters == ["id": "café x"])
        #expect(found(router.match(method: "GET", path: "/v1/%64evices/m%69ne"))?.route == "mine")
        #expect(found(router.match(method: "GET", path: "/v1/devices/a+b"))?.parameters == ["id": "a+b"])
    }

    @Test func malformedPercentEncodingIsNotFound() {
        for path in ["/v1/devices/%", "/v1/devices/%4", "/v1/devices/%zz", "/v1/devices/%FF"] {
            guard case .notFound = router().match(method: "GET", path: path) else {
                Issue.record("expected 404 for \(path)")
                continue
            }
        }
    }

    @Test func addingTheSameShapeAgainReplacesTheRoute() {
        var router = Router<String>()
        router.add("GET", "/items/{id}", "old")
        router.add("GET", "/items/{key}", "new")
        #expect(found(router.match(method: "GET", path: "/items/1"))?.route == "new")
        #expect(found(router.match(method: "GET", path: "/items/1"))?.parameters == ["key": "1"])
    }

    @Test func routeForTheRequestMethodBeatsMoreSpecificRouteForAnother() {
        var router = Router<String>()
        router.add("GET", "/v1/devices/{id}", "show")
        router.add("POST", "/v1/devices/search", "search")
        #expect(found(router.match(method: "GET", path: "/v1/devices/search"))?.parameters == ["id": "search"])
    }
}
