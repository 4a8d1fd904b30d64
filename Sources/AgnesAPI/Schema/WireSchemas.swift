// The schemas the wire types cannot show through their decoding: values of several shapes, any JSON, dynamic keys;
// and the string enumerations, which list their values.
import Foundation

extension JSONValue: CustomJSONSchema {
    /// Any JSON value.
    public static var jsonSchema: JSONValue { [:] }
}

extension ResultCell: CustomJSONSchema {
    public static var jsonSchema: JSONValue {
        ["anyOf": [["type": "null"], ["type": "boolean"], ["type": "integer"], ["type": "number"], ["type": "string"]]]
    }
}

extension SampleRow: CustomJSONSchema {
    /// Column names to cell values.
    public static var jsonSchema: JSONValue { ["type": "object", "additionalProperties": ResultCell.jsonSchema] }
}

extension ErrorBody.Detail: CustomJSONSchema {
    public static var jsonSchema: JSONValue {
        let field: JSONValue = ["type": "object", "properties": ["type": ["type": "string"], "loc": ["type": "array", "items": ["type": "string"]],
                                                                 "msg": ["type": "string"]], "required": ["type", "loc", "msg"]]
        return ["anyOf": [["type": "string"], ["type": "array", "items": field], ["type": "object", "additionalProperties": [:]]]]
    }
}

extension SyncTriggerRequest: CustomJSONSchema {
    /// null (every table), a list of table ids, or `{"tables": [ids]}`.
    public static var jsonSchema: JSONValue {
        let ids: JSONValue = ["type": "array", "items": ["type": "string"]]
        return ["anyOf": [["type": "null"], ids, ["type": "object", "properties": ["tables": ["anyOf": [ids, ["type": "null"]]]]]]]
    }
}

extension QueryMode: JSONSchemaEnumeration {}
extension SyncStrategy: JSONSchemaEnumeration {}
extension SyncStatus: JSONSchemaEnumeration {}
extension KnowledgeStatus: JSONSchemaEnumeration {}
extension ResourceType: JSONSchemaEnumeration {}
extension MembershipSource: JSONSchemaEnumeration {}
extension ReviewAction: JSONSchemaEnumeration {}
extension UploadKind: JSONSchemaEnumeration {}
extension JobStatus: JSONSchemaEnumeration {}
