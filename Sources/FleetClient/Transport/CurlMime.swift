internal import CCurl

/// Owns one libcurl `curl_mime` built from a `MultipartForm`; freed in `deinit`.
///
/// File parts are opened by libcurl only while the transfer runs, and read a piece at a time.
final class CurlMime {
    let raw: OpaquePointer

    /// - Throws: `FleetClientError` (`.invalidConfiguration`) when libcurl refuses a part.
    init(_ form: MultipartForm, easy: UnsafeMutableRawPointer) throws {
        guard let mime = curl_mime_init(easy) else {
            throw FleetClientError(kind: .transport, title: "cannot prepare upload", detail: "curl_mime_init failed")
        }
        raw = mime
        for part in form.parts {
            guard let handle = curl_mime_addpart(mime) else {
                throw FleetClientError(kind: .transport, title: "cannot prepare upload", detail: "curl_mime_addpart failed")
            }
            func check(_ code: CURLcode, _ what: String) throws {
                guard code == CURLE_OK else {
                    throw FleetClientError(kind: .invalidConfiguration, title: "cannot prepare form field '\(part.name)'",
                                           detail: "\(what): \(String(cString: curl_easy_strerror(code)))")
                }
            }
            try check(curl_mime_name(handle, part.name), "name")
            switch part.content {
            case .bytes(let bytes):
                // curl_mime_data copies the bytes.
                try bytes.withUnsafeBufferPointer { buffer in
                    try buffer.withMemoryRebound(to: CChar.self) { chars in
                        try check(curl_mime_data(handle, chars.baseAddress, chars.count), "data")
                    }
                }
            case .file(let path):
                try check(curl_mime_filedata(handle, path), "file \(path)")
            }
            if let filename = part.filename { try check(curl_mime_filename(handle, filename), "filename") }
            if let contentType = part.contentType { try check(curl_mime_type(handle, contentType), "content type") }
        }
    }

    deinit { curl_mime_free(raw) }
}
