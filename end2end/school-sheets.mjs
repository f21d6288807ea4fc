// A real-looking school's sheets, as its office keeps them in Excel, written as UTF-8 CSV (with the byte-order
// mark Excel writes) into a folder: 120 places, 100 staff, 24 classes and 40 check points beside the demo school.
// Used by the import test (tests/import.spec.ts) and the import benchmark (bench/import). Import them in that
// order: the classes sheet names the new class teachers the staff sheet adds.
// Usage: node school-sheets.mjs DIR   → DIR/places.csv, DIR/staff.csv, DIR/classes.csv, DIR/check-points.csv
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function schoolSheets() {
  const places = [['场所路径', '类型']];
  const floorsOf = [];
  for (const [building, floors, rooms, areas] of [
    ['致远楼', 4, 8, ['东走廊', '西楼梯']],
    ['博学楼', 4, 8, ['东走廊', '西楼梯']],
    ['艺体楼', 3, 6, ['大厅']],
  ]) {
    // Floors before their building and rooms before their floors, as a sheet sorted by room often is.
    for (let f = 1; f <= floors; f++) {
      for (let r = 1; r <= rooms; r++) places.push([`${building}/${f}F/${f}${String(r).padStart(2, '0')}室`, '房间']);
      for (const area of areas) places.push([`${building}/${f}F/${area}`, '区域']);
      places.push([`${building}/${f}F`, '楼层']);
      floorsOf.push(`${building}/${f}F`);
    }
    places.push([building, '楼栋']);
  }
  places.push(['东门', '校门'], ['南操场', '室外区域']);
  for (const zone of ['跑道一', '跑道二', '沙坑']) places.push([`南操场/${zone}`, '室外区域']);

  // 100 staff: name and user name (its pinyin), phone, roles; two of them take over a demo class.
  const surnames = [['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'],
    ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'], ['胡', 'hu'],
    ['郭', 'guo'], ['何', 'he'], ['高', 'gao'], ['林', 'lin'], ['罗', 'luo']];
  const given = [['晓红', 'xiaohong'], ['建国', 'jianguo'], ['丽华', 'lihua'], ['志强', 'zhiqiang'], ['海燕', 'haiyan']];
  const staff = [['姓名', '用户名', '手机号', '角色', '任教班级']];
  const teachers = [];
  for (let i = 0; i < 100; i++) {
    const [surname, sp] = surnames[i % surnames.length];
    const [name, np] = given[Math.floor(i / surnames.length)];
    const username = `${sp}${np}`;
    let roles = '教职工';
    let taught = '';
    if (i < 2) [roles, taught] = ['教职工、班主任', `一年级${i + 1}班`];
    else if (i < 14) { roles = '教职工、班主任'; teachers.push(username); }
    else if (i < 16) roles = '门卫';
    else if (i < 20) roles = '维修工';
    else if (i < 23) roles = '安全检查员、教职工';
    else if (i < 25) roles = '卫生检查员、教职工';
    staff.push([`${surname}${name}`, username, `139 ${String(1000 + i).padStart(4, '0')} ${String(2026 + i).padStart(4, '0')}`, roles, taught]);
  }

  const classes = [['年级', '班号', '班主任', '卫生区']];
  const zones = ['南操场/跑道一', '南操场/跑道二', '南操场/沙坑', ''];
  for (let grade = 1; grade <= 6; grade++) {
    for (let number = 1; number <= 4; number++) {
      // The demo's two classes per grade keep their teachers (left blank).
      // The new ones get a zone and a class teacher from the staff sheet, by user name.
      const teacher = number > 2 ? teachers[(grade - 1) * 2 + number - 3] : '';
      classes.push([`${'一二三四五六'[grade - 1]}年级`, `${number}班`, teacher, number > 2 ? zones[(grade + number) % 4] : '']);
    }
  }

  const points = [['场所路径', '类型', '名称', '负责人']];
  const kinds = ['灭火器', '应急照明灯', '安全出口标志', '消火栓', '防火门'];
  for (let i = 0; i < 40; i++) {
    const floor = floorsOf[i % floorsOf.length];
    const short = floor.replace('/', '-');
    points.push([floor, kinds[i % kinds.length], `${short}-${String(i + 1).padStart(2, '0')}`, i % 2 ? '张老师' : 'anquan2']);
  }
  return { places, staff, classes, 'check-points': points };
}

const csv = (rows) => '\ufeff' + rows.map((row) => row.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\r\n') + '\r\n';

export function writeSchoolSheets(dir) {
  mkdirSync(dir, { recursive: true });
  const files = {};
  for (const [kind, rows] of Object.entries(schoolSheets())) {
    files[kind] = join(dir, `${kind}.csv`);
    writeFileSync(files[kind], csv(rows));
  }
  return files;
}

if (process.argv[1]?.endsWith('school-sheets.mjs')) {
  const files = writeSchoolSheets(process.argv[2] ?? '.');
  for (const [kind, file] of Object.entries(files)) console.log(`${kind}\t${file}`);
}
