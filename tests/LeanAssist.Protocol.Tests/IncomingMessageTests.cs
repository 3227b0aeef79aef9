using System.Text;
using LeanAssist.Protocol.JsonRpc;

namespace LeanAssist.Protocol.Tests;

public sealed class IncomingMessageTests
{
    private static IncomingMessage Parse(string json)
    {
        var message = IncomingMessage.Parse(Encoding.UTF8.GetBytes(json), out var document);
        document?.Dispose();
        return message;
    }

    [Fact]
    public void Request_with_integer_id()
    {
        var request = Assert.IsType<RequestMessage>(Parse("""{"jsonrpc":"2.0","id":7,"method":"m","params":{"x":1}}"""));
        Assert.Equal(MessageId.FromNumber(7), request.Id);
        Assert.Equal("m", request.Method);
        Assert.NotNull(request.Params);
    }

    [Fact]
    public void Request_with_string_id_and_no_params()
    {
        var request = Assert.IsType<RequestMessage>(Parse("""{"jsonrpc":"2.0","id":"abc","method":"shutdown"}"""));
        Assert.Equal(MessageId.FromString("abc"), request.Id);
        Assert.Null(request.Params);
    }

    [Fact]
    public void Notification_has_no_id()
    {
        var notification = Assert.IsType<NotificationMessage>(Parse("""{"jsonrpc":"2.0","method":"exit"}"""));
        Assert.Equal("exit", notification.Method);
    }

    [Fact]
    public void Responses_with_result_or_error()
    {
        var ok = Assert.IsType<ResponseMessage>(Parse("""{"jsonrpc":"2.0","id":3,"result":null}"""));
        Assert.Null(ok.Error);
        var failed = Assert.IsType<ResponseMessage>(Parse("""{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}}"""));
        Assert.Equal(new ResponseError(-32601, "nope"), failed.Error);
    }

    [Theory]
    [InlineData("not json at all", ErrorCodes.ParseError)]
    [InlineData("{\"jsonrpc\":\"2.0\",", ErrorCodes.ParseError)]
    [InlineData("[1,2]", ErrorCodes.InvalidRequest)]
    [InlineData("42", ErrorCodes.InvalidRequest)]
    [InlineData("""{"id":1,"method":"m"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"m"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":5}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":""}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":{"x":1},"method":"m"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1.5,"method":"m"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":null,"method":"m"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"m","params":"text"}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","hello":1}""", ErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"x"}}""", ErrorCodes.InvalidRequest)]
    public void Invalid_messages_get_the_spec_error_code(string json, int code)
    {
        var invalid = Assert.IsType<InvalidMessage>(Parse(json));
        Assert.Equal(code, invalid.Code);
    }

    [Fact]
    public void Invalid_request_keeps_its_id_when_readable()
    {
        var invalid = Assert.IsType<InvalidMessage>(Parse("""{"jsonrpc":"1.0","id":"x-1","method":"m"}"""));
        Assert.Equal(MessageId.FromString("x-1"), invalid.Id);
    }

    [Fact]
    public void Invalid_utf8_is_a_parse_error()
    {
        var message = IncomingMessage.Parse(new byte[] { (byte)'"', 0xFF, 0xFE, (byte)'"' }, out var document);
        document?.Dispose();
        Assert.Equal(ErrorCodes.ParseError, Assert.IsType<InvalidMessage>(message).Code);
    }
}
