import Foundation

/// A problem with one of a run's files.
public enum RunFileError: Error, Sendable, CustomStringConvertible {
    /// A file or folder of the run could not be created or written (a full disk, permissions).
    case cannotWrite(String, String)
    case notARecording(String, String)
    case newerSchema(String, Int)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
        case .notARecording(let path, let why): return "\(path) is not a Tutti recording: \(why)"
        case .newerSchema(let path, let version):
            return "\(path) was recorded with schema version \(version), newer than this build reads "
                + "(\(RecordingHeader.currentVersion)); upgrade tutti to read it"
        }
    }
}
