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
    // Packages and their management.
    {"deb包", "deb文件", "deb 包", "软件包文件", "deb file", "deb package", "dpkg -i", nullptr},
    {"锁定版本", "禁止升级", "不让升级", "保持版本", "hold", "pin", "pinning", "apt-mark"},
    {"清理", "清除", "清空", "clean", "clear", "cleanup", "autoclean", "purge cache"},
    {"依赖", "依赖关系", "依赖问题", "dependency", "dependencies", "unmet dependencies", nullptr},
    {"软件仓库", "仓库", "软件库", "repository", "repositories", "repo", nullptr},
    {"编译", "源码安装", "源代码", "从源码", "compile", "build from source", "source code", "make install"},
    {"包管理器", "软件包管理器", "软件中心", "应用商店", "package manager", "software center", "synaptic", nullptr},
    // Booting and power.
    {"引导", "引导程序", "引导加载程序", "启动引导", "bootloader", "boot loader", "grub", nullptr},
    {"开不了机", "无法开机", "不能开机", "无法引导", "does not boot", "won't boot", "fails to boot", "unbootable"},
    {"关机", "shutdown", "shut down", "power off", "poweroff", "halt", nullptr},
    {"休眠", "待机", "挂起", "睡眠", "suspend", "hibernate", "hibernation", "power management"},
    {"黑屏", "白屏", "black screen", "blank screen", "no display", nullptr},
    // Hardware and desktop.
    {"键盘", "键盘布局", "keyboard", "keymap", "keyboard layout", nullptr},
    {"鼠标", "触摸板", "mouse", "touchpad", nullptr},
    {"u盘", "优盘", "移动硬盘", "usb", "usb stick", "usb drive", "flash drive", "thumb drive"},
    {"光盘", "iso镜像", "光盘镜像", "iso", "iso image", "cd-rom", "dvd", nullptr},
    {"蓝牙", "bluetooth", nullptr},
    {"字体", "font", "fonts", nullptr},
    {"屏幕", "显示屏", "screen", nullptr},
    {"笔记本", "笔记本电脑", "laptop", "notebook", nullptr},
    {"远程桌面", "remote desktop", "vnc", "rdp", "xrdp", nullptr},
    // Users, rights, processes.
    {"用户组", "群组", "user group", "groupadd", "usermod", nullptr},
    {"管理员权限", "root权限", "超级用户", "提权", "sudo", "superuser", "admin rights", "administrator"},
    {"用户名", "登录名", "username", "user name", "login name", nullptr},
    {"登录", "登陆", "login", "log in", "sign in", "logon", nullptr},
    {"注销", "登出", "退出登录", "logout", "log out", "sign out", nullptr},
    {"杀进程", "结束进程", "强制关闭", "强制退出", "kill", "killall", "force quit", "terminate"},
    {"文件权限", "权限不够", "chmod", "chown", "file permissions", "access rights", nullptr},
    {"环境变量", "environment variable", "environment variables", nullptr},
    // Files and storage.
    {"文件夹", "目录", "folder", "directory", nullptr},
    {"压缩", "解压", "压缩包", "archive", "compress", "extract", "tar", "zip"},
    {"校验", "校验和", "checksum", "md5", "md5sum", "sha256", "sha256sum", "verify"},
    {"加密", "encrypt", "encryption", "encrypted", "luks", "cryptsetup", nullptr},
    {"逻辑卷", "卷组", "lvm", "logical volume", "volume group", nullptr},
    {"扩容", "扩大分区", "调整大小", "resize", "enlarge", "lvextend", "resize2fs", nullptr},
    {"磁盘阵列", "软raid", "raid", "software raid", "mdadm", nullptr},
    {"交换分区", "交换空间", "虚拟内存", "swap", "swap space", "swapfile", nullptr},
    {"快照", "snapshot", "snapshots", nullptr},
    {"文件系统", "filesystem", "file system", nullptr},
    {"传文件", "传输文件", "文件传输", "file transfer", "scp", "sftp", "ftp", nullptr},
    {"文本编辑器", "编辑器", "editor", "text editor", "vim", "nano", "emacs", nullptr},
    // Networks and security.
    {"主机名", "计算机名", "hostname", "host name", nullptr},
    {"电脑", "计算机", "机器", "computer", "machine", nullptr},
    {"网关", "路由", "默认路由", "gateway", "route", "routing", "default route", nullptr},
    {"局域网", "内网", "lan", "local network", "intranet", nullptr},
    {"上不了网", "无法上网", "断网", "没网", "no internet", "network unreachable", nullptr},
    {"带宽", "限速", "网速", "bandwidth", "rate limit", "throttle", nullptr},
    {"端口转发", "地址转换", "port forwarding", "nat", "masquerade", nullptr},
    {"vpn", "虚拟专用网", "openvpn", "wireguard", "ipsec", nullptr},
    {"证书", "ssl", "tls", "https", "certificate", nullptr},
    {"密钥", "公钥", "私钥", "ssh key", "public key", "private key", "key pair", nullptr},
    {"漏洞", "安全更新", "安全补丁", "vulnerability", "security update", "cve", nullptr},
    {"网站", "web服务器", "网站服务器", "website", "web server", "virtual host", nullptr},
    {"数据库", "database", "databases", nullptr},
    // System administration.
    {"大版本升级", "升级发行版", "版本升级", "dist-upgrade", "full-upgrade", "release upgrade", nullptr},
    {"软链接", "软连接", "符号链接", "symlink", "symbolic link", "ln -s", nullptr},
    {"cpu占用", "cpu使用率", "负载高", "cpu usage", "load average", "high load", "htop", nullptr},
    {"别名", "alias", "aliases", nullptr},
    {"历史命令", "命令历史", "command history", "bash history", nullptr},
    {"后台运行", "放到后台", "run in background", "nohup", "daemonize", nullptr},
    {"内核模块", "驱动模块", "kernel module", "modprobe", "lsmod", nullptr},
    {"回收站", "trash", "recycle bin", nullptr},
    {"自动补全", "命令补全", "tab补全", "completion", "autocomplete", "tab completion", nullptr},
    {"双系统", "多系统", "dual boot", "multiboot", "dual-boot", nullptr},
    {"救援模式", "单用户模式", "恢复模式", "rescue mode", "single user mode", "recovery mode", nullptr},
    {"截图", "截屏", "screenshot", "screen capture", nullptr},
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
