#include "search/synonyms.hpp"

#include <algorithm>
#include <cctype>

#include "search/tokenizer.hpp"

namespace selfservice::search {
namespace {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
}

// The terms of `text` as the index holds them (English words stemmed, stop words left out).
std::vector<std::string> Terms(std::string_view text) {
  std::vector<std::string> terms;
  Tokenize(text, [&](std::string_view term, int, int) { terms.emplace_back(term); });
  return terms;
}

// Written for this library from common IT-operations vocabulary; each line is one meaning.
const char* const kBaseGroups[][8] = {
    {"连不上", "连接不上", "连不了", "无法连接", "连接失败", "connection refused", "cannot connect", nullptr},
    {"起不来", "启动不了", "无法启动", "启动失败", "不能启动", "fails to start", "won't start", nullptr},
    {"报错", "错误信息", "出错", "错误", "error", nullptr},
    {"卡死", "卡住", "死机", "无响应", "冻结", "hang", "freeze", "unresponsive"},
    {"很慢", "太慢", "缓慢", "速度慢", "slow", "sluggish", nullptr},
    {"乱码", "字符编码", "编码", "语言环境", "locale", "encoding", "charset", nullptr},
    {"硬盘", "磁盘", "disk", "hard drive", nullptr},
    {"空间不足", "磁盘满", "磁盘空间", "no space left", "disk full", "disk space", nullptr},
    {"配额", "限额", "quota", nullptr},
    {"密码", "口令", "password", "passphrase", nullptr},
    {"忘记密码", "重置密码", "找回密码", "reset password", "forgot password", nullptr},
    {"防火墙", "firewall", "iptables", "nftables", nullptr},
    {"网卡", "网络接口", "网络适配器", "network interface", "nic", nullptr},
    {"静态ip", "固定ip", "静态地址", "static ip", "static address", nullptr},
    {"域名解析", "名称解析", "解析不了", "dns", "name resolution", "resolv.conf", nullptr},
    {"代理", "proxy", nullptr},
    {"镜像源", "软件源", "镜像站", "mirror", "sources.list", nullptr},
    {"升级", "更新", "upgrade", "update", nullptr},
    {"定时任务", "计划任务", "定时执行", "cron", "crontab", "scheduled task", nullptr},
    {"开机自启", "开机启动", "自动启动", "自启动", "autostart", "start at boot", "enable service", nullptr},
    {"远程登录", "远程连接", "ssh", "remote login", nullptr},
    {"命令行", "终端", "控制台", "虚拟控制台", "terminal", "console", "command line", "shell"},
    {"图形界面", "桌面环境", "图形环境", "gui", "desktop environment", "graphical", nullptr},
    {"分区", "磁盘分区", "partition", nullptr},
    {"挂载", "mount", nullptr},
    {"权限不足", "没有权限", "权限被拒绝", "permission denied", "access denied", nullptr},
    {"账号", "账户", "帐户", "用户", "account", "user", nullptr},
    {"内核", "kernel", nullptr},
    {"驱动", "驱动程序", "固件", "driver", "firmware", nullptr},
    {"打印机", "打印", "printer", "printing", "cups", nullptr},
    {"备份", "还原", "恢复数据", "backup", "restore", nullptr},
    {"日志", "系统日志", "系统消息", "log", "logs", "syslog", "journal"},
    {"服务", "守护进程", "service", "daemon", nullptr},
    {"内存", "memory", "ram", nullptr},
    {"被黑", "黑客", "入侵", "被攻击", "攻破", "hacked", "compromised", "intrusion"},
    {"监控", "告警", "报警", "monitoring", "alert", "alerting", nullptr},
    {"宕机", "挂了", "停机", "down", "outage", nullptr},
    {"无线", "wifi", "wi-fi", "wireless", "wlan", nullptr},
    {"卸载", "删除软件", "移除", "uninstall", "remove", "purge", nullptr},
    {"安装", "装软件", "install", "installation", nullptr},
    {"重启", "重新启动", "reboot", "restart", nullptr},
    {"版本", "发行版", "version", "release", nullptr},
    {"缓存", "cache", nullptr},
    {"时间不对", "时区", "时间同步", "ntp", "timezone", "time sync", nullptr},
    {"虚拟机", "虚拟化", "virtual machine", "virtualization", "kvm", nullptr},
    {"容器", "docker", "container", nullptr},
    {"端口", "port", nullptr},
    {"病毒", "恶意软件", "virus", "malware", nullptr},
    {"邮件", "电子邮件", "mail", "email", nullptr},
    {"共享文件夹", "文件共享", "samba", "nfs", "file sharing", nullptr},
    {"中文输入", "输入法", "input method", "ime", nullptr},
    {"声音", "音频", "没声音", "sound", "audio", nullptr},
    {"显卡", "显示器", "分辨率", "graphics card", "display", "resolution", nullptr},
};

}  // namespace

bool SynonymSet::Expression::In(std::string_view lowered_query, const std::vector<std::string>& query_terms) const {
  if (!ascii) return lowered_query.find(text) != std::string_view::npos;
  return !terms.empty() && std::search(query_terms.begin(), query_terms.end(), terms.begin(), terms.end()) !=
                               query_terms.end();
}

void SynonymSet::AddGroup(const std::vector<std::string>& expressions) {
  std::vector<Expression> group;
  for (const auto& expression : expressions) {
    std::string lowered = AsciiLower(expression);
    if (lowered.empty() || std::any_of(group.begin(), group.end(), [&](const Expression& e) { return e.text == lowered; })) {
      continue;
    }
    const bool ascii = IsAscii(lowered);
    std::vector<std::string> terms = ascii ? Terms(lowered) : std::vector<std::string>{};
    group.push_back(Expression{std::move(lowered), ascii, std::move(terms)});
  }
  if (group.size() >= 2) groups_.push_back(std::move(group));
}

std::vector<std::string> SynonymSet::Expand(std::string_view query) const {
  const std::string lowered = AsciiLower(query);
  const std::vector<std::string> query_terms = Terms(lowered);
  std::vector<std::string> out;
  for (const auto& group : groups_) {
    const bool hit = std::any_of(group.begin(), group.end(),
                                 [&](const Expression& e) { return e.In(lowered, query_terms); });
    if (!hit) continue;
    for (const auto& expression : group) {
      if (!expression.In(lowered, query_terms) &&
          std::find(out.begin(), out.end(), expression.text) == out.end()) {
        out.push_back(expression.text);
      }
    }
  }
  return out;
}

const SynonymSet& BaseSynonyms() {
  static const SynonymSet kBase = [] {
    SynonymSet set;
    for (const auto& row : kBaseGroups) {
      std::vector<std::string> group;
      for (const char* expression : row) {
        if (expression != nullptr) group.emplace_back(expression);
      }
      set.AddGroup(group);
    }
    return set;
  }();
  return kBase;
}

}  // namespace selfservice::search
